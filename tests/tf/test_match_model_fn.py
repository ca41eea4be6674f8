"""Dry-run restore of a TRAIN checkpoint into a model_fn built in another mode.

The checkpoints come from real training (tf.compat.v1 graph, Saver); each finding is
checked against what a real restore in that mode does.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import tensorflow as tf

from ckptlab import match_restore
from ckptlab.errors import UsageError
from ckptlab.estimator.spec import EstimatorSpec, ModeKeys
from ckptlab.render.checkpoint import match_text
from tests.helpers.checkpoints import train_model_fn

v1 = tf.compat.v1


def head(labels, mode, out):
    if mode == ModeKeys.PREDICT:
        return EstimatorSpec(mode, predictions=out)
    loss = v1.losses.mean_squared_error(labels, out)
    if mode == ModeKeys.EVAL:
        return EstimatorSpec(mode, loss=loss)
    train_op = v1.train.AdamOptimizer(0.1).minimize(loss, v1.train.get_global_step())
    return EstimatorSpec(mode, loss=loss, train_op=train_op)


def calibrated_model_fn(features, labels, mode):
    out = tf.matmul(features["x"], v1.get_variable("out/kernel", [4, 1]))
    if mode == ModeKeys.PREDICT:
        out *= v1.get_variable("calibration", [], initializer=v1.ones_initializer())
    return head(labels, mode, out)


def train_only_layer_model_fn(features, labels, mode):
    """Auto-numbered layers: a TRAIN-only layer shifts every later name in EVAL."""
    x = features["x"]
    if mode == ModeKeys.TRAIN:
        with v1.variable_scope(None, default_name="dense"):
            x = tf.matmul(x, v1.get_variable("kernel", [4, 4]))
    with v1.variable_scope(None, default_name="dense"):
        hidden = tf.matmul(x, v1.get_variable("kernel", [4, 4]))
    with v1.variable_scope(None, default_name="dense"):
        return head(labels, mode, tf.matmul(hidden, v1.get_variable("kernel", [4, 1])))


def reordered_model_fn(features, labels, mode):
    """The same two layers, created in the opposite order outside TRAIN."""
    if mode == ModeKeys.TRAIN:
        with v1.variable_scope(None, default_name="dense"):
            hidden = v1.get_variable("kernel", [4, 8])
        with v1.variable_scope(None, default_name="dense"):
            out = v1.get_variable("kernel", [8, 1])
    else:
        with v1.variable_scope(None, default_name="dense"):
            out = v1.get_variable("kernel", [8, 1])
        with v1.variable_scope(None, default_name="dense"):
            hidden = v1.get_variable("kernel", [4, 8])
    return head(labels, mode, tf.matmul(tf.matmul(features["x"], hidden), out))


def restore_error(model_fn, model_dir, mode) -> str:
    """What a real Saver restore of the latest checkpoint in `mode` raises ('' if none)."""
    graph = tf.Graph()
    with graph.as_default():
        v1.train.get_or_create_global_step()
        features = {"x": v1.placeholder(tf.float32, [None, 4])}
        labels = None if mode == ModeKeys.PREDICT else v1.placeholder(tf.float32, [None, 1])
        model_fn(features=features, labels=labels, mode=mode)
        with v1.Session(graph=graph) as session:
            try:
                v1.train.Saver().restore(session, tf.train.latest_checkpoint(str(model_dir)))
            except (tf.errors.NotFoundError, tf.errors.InvalidArgumentError) as error:
                return error.message
    return ""


def test_variable_created_only_in_predict_is_missing(tmp_path):
    model_dir = train_model_fn(calibrated_model_fn, tmp_path)
    report = match_restore(model_dir, model_fn=calibrated_model_fn, mode=ModeKeys.PREDICT)
    assert [s.name for s in report.missing] == ["calibration"] and not report.ok
    assert [s.name for s, _ in report.matched] == ["global_step", "out/kernel"]
    assert {v.key.split("/")[-1] for v in report.unused} == {
        "Adam", "Adam_1", "beta1_power", "beta2_power"}
    assert "Key calibration not found" in restore_error(calibrated_model_fn, model_dir,
                                                         ModeKeys.PREDICT)
    assert match_restore(model_dir, model_fn=calibrated_model_fn, mode="eval").ok
    assert "built in mode 'infer'" in match_text(
        match_restore(model_dir, model_fn=calibrated_model_fn, mode="predict"))


def test_names_shifted_by_a_train_only_layer_are_reported_even_with_equal_shapes(tmp_path):
    model_dir = train_model_fn(train_only_layer_model_fn, tmp_path)
    report = match_restore(model_dir, model_fn=train_only_layer_model_fn, mode="eval")
    # dense/kernel (4, 4) silently takes the TRAIN-only layer's weights: same name and shape
    assert "dense/kernel" in [s.name for s, _ in report.matched]
    assert [m.spec.name for m in report.mismatched] == ["dense_1/kernel"]
    pairs = {(r.wanted, r.found) for r in report.suggestions}
    assert pairs == {("dense_1/kernel", "dense_2/kernel"), ("dense/kernel", "dense_1/kernel")}
    assert not report.ok
    # TensorFlow itself raises nothing (resource variables take the checkpoint's shape)
    assert restore_error(train_only_layer_model_fn, model_dir, ModeKeys.EVAL) == ""


def test_layers_built_in_another_order_get_did_you_mean(tmp_path):
    model_dir = train_model_fn(reordered_model_fn, tmp_path)
    report = match_restore(model_dir, model_fn=reordered_model_fn, mode=ModeKeys.EVAL)
    assert {(m.spec.name, m.spec.shape, m.stored.shape) for m in report.mismatched} == {
        ("dense/kernel", (8, 1), (4, 8)), ("dense_1/kernel", (4, 8), (8, 1))}
    assert {(r.wanted, r.found, r.reason) for r in report.suggestions} == {
        ("dense/kernel", "dense_1/kernel", "auto_number"),
        ("dense_1/kernel", "dense/kernel", "auto_number")}
    assert restore_error(reordered_model_fn, model_dir, ModeKeys.EVAL) == ""  # silent in TF
    text = match_text(report)
    assert "did you mean 'dense_1/kernel' for 'dense/kernel'?" in text
    assert re.search(r"'dense' is built by test_match_model_fn.py, line \d+ in eval but by "
                     r"test_match_model_fn.py, line \d+ in train", text)


def test_model_fn_errors_and_bad_modes_are_usage_errors(tmp_path):
    model_dir = train_model_fn(calibrated_model_fn, tmp_path)

    def broken(features, labels, mode):
        with v1.variable_scope("model", reuse=mode != ModeKeys.TRAIN):
            v1.get_variable("w", [4, 1])
        return head(labels, mode, features["x"])

    with pytest.raises(UsageError, match=r"could not be built in mode 'eval'.*does not exist"):
        match_restore(model_dir, model_fn=broken, mode="eval")
    with pytest.raises(UsageError, match="Unknown mode"):
        match_restore(model_dir, model_fn=calibrated_model_fn, mode="serve")
    assert np.isfinite(tf.train.load_checkpoint(str(model_dir)).get_tensor("out/kernel")).all()
