"""ModeExplorer on real model_fns traced with TensorFlow; its restore plan agrees with what
the real engine does when EVAL/PREDICT restore the TRAIN checkpoint."""

from __future__ import annotations

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # tf.compat.v1.layers needs tf_keras

import numpy as np
import pytest
import tensorflow as tf

from ckptlab.estimator import Estimator, ModeKeys
from ckptlab.widgets.modes import ModeExplorer
from tests.helpers.widget_models import head, swapping_model_fn, train_input

_v1 = tf.compat.v1


def eval_extra_model_fn(features, labels, mode):
    weight = _v1.get_variable("w", [4, 1])
    out = tf.matmul(features["x"], weight)
    if mode == ModeKeys.EVAL:
        out = out + _v1.get_variable("eval_bias", [1])
    return head(labels, mode, out)


def predict_input():
    return tf.data.Dataset.from_tensor_slices({"x": np.ones((2, 4), np.float32)}).batch(2)


def test_swapped_layers_are_flagged_and_the_real_restore_raises_nothing(tmp_path):
    explorer = ModeExplorer(swapping_model_fn)
    assert "name shifted: dense_1/… in TRAIN" in explorer.columns["infer"].value
    explorer.show_restore_plan()
    assert explorer.restore_plan["infer"]["dense/kernel"] == "swapped"
    assert explorer.restore_plan["infer"]["dense_1/kernel"] == "unused"
    assert "silently swapped" in explorer.columns["infer"].value

    estimator = Estimator(swapping_model_fn, model_dir=str(tmp_path))
    estimator.train(train_input, steps=1)
    assert len(list(estimator.predict(predict_input))) == 2  # no error: the silent case


def test_missing_variable_is_flagged_and_the_real_evaluate_fails(tmp_path):
    explorer = ModeExplorer(eval_extra_model_fn)
    explorer.show_restore_plan()
    assert explorer.restore_plan["eval"] == {"w": "matched", "eval_bias": "missing",
                                             "global_step": "unused"}
    assert explorer.restore_plan["infer"]["w"] == "matched"
    explorer.select_variable("eval_bias")
    assert "not in the TRAIN checkpoint" in explorer.detail.value

    estimator = Estimator(eval_extra_model_fn, model_dir=str(tmp_path))
    estimator.train(train_input, steps=1)
    with pytest.raises(tf.errors.NotFoundError, match="eval_bias"):
        estimator.evaluate(train_input)


def test_rebuild_traces_again_with_new_params():
    def sized_model_fn(features, labels, mode, params):
        weight = _v1.get_variable("w", [4, params["units"]])
        return head(labels, mode, tf.reduce_sum(tf.matmul(features["x"], weight), 1, True))

    explorer = ModeExplorer(sized_model_fn, {"units": 2})
    assert "(4, 2)" in explorer.columns["train"].value
    ops_before = [list(t.x) for t in explorer.figure.data]
    explorer.rebuild({"units": 3})
    assert "(4, 3)" in explorer.columns["train"].value
    assert [list(t.x) for t in explorer.figure.data] == ops_before  # same graph, other shape
