"""ScopeExplorer on real checkpoints: an Estimator's name-based checkpoint against a model_fn
in another mode, and a tf.train.Checkpoint of a Keras model against a changed model."""

from __future__ import annotations

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # tf.compat.v1.layers needs tf_keras

import numpy as np
import tensorflow as tf

from ckptlab.estimator import Estimator, ModeKeys
from ckptlab.widgets.scopes import ScopeExplorer
from tests.helpers.widget_models import swapping_model_fn, train_input

_v1 = tf.compat.v1


def test_estimator_checkpoint_against_predict_mode_shows_swapped_layers(tmp_path):
    Estimator(swapping_model_fn, model_dir=str(tmp_path)).train(train_input, steps=1)
    view = ScopeExplorer(str(tmp_path), model_fn=swapping_model_fn, mode=ModeKeys.PREDICT)
    states = {row.name: row.state for row in view.model_rows}
    assert states["dense/kernel"] == "swapped"
    assert states["global_step"] == "matched"
    assert view.key_of("dense/kernel") == "dense/kernel"
    view.select_variable("dense/kernel")
    assert "dense_1/kernel" in view.detail.value
    assert {row.name: row.state for row in view.checkpoint_rows}["dense/kernel"] == "swapped"
    view.show_state("unused")
    assert "dense_1" in view.checkpoint_pane.value


def test_keras_object_checkpoint_against_a_wider_model(tmp_path):
    def model(units):
        net = tf.keras.Sequential([tf.keras.layers.Dense(units, name="hidden"),
                                   tf.keras.layers.Dense(1, name="out")])
        net(np.ones((1, 3), np.float32))
        return net

    prefix = tf.train.Checkpoint(model=model(4)).write(str(tmp_path / "ckpt"))
    view = ScopeExplorer(prefix, model(8))
    states = sorted({row.state for row in view.model_rows})
    assert states == ["matched", "mismatch"]
    mismatched = [row for row in view.model_rows if row.state == "mismatch"]
    assert mismatched and all(row.key.endswith(".ATTRIBUTES/VARIABLE_VALUE")
                              for row in mismatched)
    view.show_state("mismatch")
    assert set(view.figure.data[0].text) == {"", "shape/dtype mismatch"}
