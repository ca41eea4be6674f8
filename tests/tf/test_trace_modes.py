"""The mode tracer builds a real model_fn in each mode and names what differs."""

from __future__ import annotations

import json
import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # tf.compat.v1.layers needs tf_keras

import pytest
import tensorflow.compat.v1 as tf

from ckptlab import trace_modes
from ckptlab.errors import UsageError
from ckptlab.estimator import EstimatorSpec, ModeKeys


def head(features, labels, mode, out):
    if mode == ModeKeys.PREDICT:
        return EstimatorSpec(mode, predictions={"y": out})
    loss = tf.losses.mean_squared_error(labels, out)
    if mode == ModeKeys.EVAL:
        return EstimatorSpec(mode, loss=loss)
    step = tf.train.get_global_step()
    return EstimatorSpec(mode, loss=loss, train_op=tf.train.AdamOptimizer().minimize(loss, step))


def consistent_model_fn(features, labels, mode, params):
    with tf.variable_scope("model"):
        w = tf.get_variable("w", [4, params.get("hidden", 3)])
        v = tf.get_variable("v", [params.get("hidden", 3), 1])
    return head(features, labels, mode, tf.matmul(tf.matmul(features["x"], w), v))


def test_records_each_mode_in_its_own_graph():
    report = trace_modes(consistent_model_fn, params={"hidden": 5})
    assert [t.mode for t in report.modes] == ["train", "eval", "infer"]
    predict = report.mode("infer")
    assert [(v.name, v.scope, v.shape) for v in predict.variables] == [
        ("model/w", "model", (4, 5)), ("model/v", "model", (5, 1))]
    assert predict.spec["predictions"] == "{y: Tensor float32 [None, 1]}"
    assert "loss" not in predict.spec and "train_op" not in predict.spec
    assert predict.op_counts["MatMul"] == 2
    assert predict.op_counts["Placeholder"] == 1  # default features only: no labels
    assert "train_op" in report.mode("train").spec
    assert report.mode("eval").error is None
    train_names = [v.name for v in report.mode("train").variables]
    assert train_names[:2] == ["model/w", "model/v"] and "model/w/Adam" in train_names
    comparison = report.comparison
    assert not comparison.missing_from_train_checkpoint and not comparison.shifted
    assert not comparison.shape_differences and not comparison.failed_modes
    assert set(comparison.only_in_some) == set(train_names[2:])  # optimizer state


def test_variable_only_in_predict_is_missing_from_the_train_checkpoint():
    def model_fn(features, labels, mode):
        out = tf.layers.dense(features["x"], 1, name="out")
        if mode == ModeKeys.PREDICT:
            out *= tf.get_variable("calibration", [], initializer=tf.ones_initializer())
        return head(features, labels, mode, out)

    report = trace_modes(model_fn)
    assert report.comparison.missing_from_train_checkpoint == {"infer": ("calibration",)}
    assert report.comparison.only_in_some["calibration"] == ("infer",)
    assert "PREDICT creates 1 variable(s) a TRAIN checkpoint will not contain: " \
           "calibration." in str(report)


def test_auto_numbered_layers_shifted_by_a_train_only_layer():
    def model_fn(features, labels, mode):
        x = features["x"]
        if mode == ModeKeys.TRAIN:
            x = tf.layers.dense(x, 4)  # built first in TRAIN only
        hidden = tf.layers.dense(x, 4)
        return head(features, labels, mode, tf.layers.dense(hidden, 1))

    shifts = trace_modes(model_fn).comparison.shifted
    pairs = {(s.mode, s.train_name, s.name) for s in shifts}
    assert pairs == {("infer", "dense_1", "dense"), ("infer", "dense_2", "dense_1"),
                     ("eval", "dense_1", "dense"), ("eval", "dense_2", "dense_1")}
    assert all(s.origin.startswith("test_trace_modes.py, line ") for s in shifts)


def test_layers_built_in_another_order_are_flagged():
    def model_fn(features, labels, mode):
        x = features["x"]
        if mode == ModeKeys.TRAIN:
            a, b = tf.layers.dense(x, 4), tf.layers.dense(x * 2.0, 4)
        else:
            b = tf.layers.dense(x * 2.0, 4)
            a = tf.layers.dense(x, 4)
        return head(features, labels, mode, tf.layers.dense(a - b, 1))

    report = trace_modes(model_fn)
    flagged = {(s.mode, s.name) for s in report.comparison.shifted if s.other_origin}
    assert flagged == {("infer", "dense"), ("infer", "dense_1"), ("eval", "dense"),
                       ("eval", "dense_1")}
    assert "'dense' is built by test_trace_modes.py, line " in str(report)


def test_shape_difference_between_modes():
    def model_fn(features, labels, mode):
        hidden = 8 if mode == ModeKeys.TRAIN else 16
        return consistent_model_fn(features, labels, mode, {"hidden": hidden})

    differences = {d.name: d.shapes for d in trace_modes(model_fn).comparison.shape_differences}
    assert differences["model/w"] == {"train": (4, 8), "eval": (4, 16), "infer": (4, 16)}


def test_a_failing_mode_is_recorded_and_the_others_still_run():
    def model_fn(features, labels, mode):
        with tf.variable_scope("model", reuse=mode != ModeKeys.TRAIN):
            w = tf.get_variable("w", [4, 1])
        return head(features, labels, mode, tf.matmul(features["x"], w))

    report = trace_modes(model_fn)
    assert report.comparison.failed_modes == ("eval", "infer")
    error = report.mode("infer").error
    assert error.type == "ValueError"
    assert error.message.startswith("Variable model/w does not exist")
    assert error.origin.startswith("test_trace_modes.py, line ")
    assert report.mode("train").error is None
    assert "PREDICT failed to build at test_trace_modes.py, line " in str(report)


def test_an_empty_predictions_dict_fails_predict():
    """It builds, but predict() raises TypeError on its first example (issue 19)."""
    def model_fn(features, labels, mode):
        spec = consistent_model_fn(features, labels, mode, {})
        return EstimatorSpec(mode, predictions={}) if mode == ModeKeys.PREDICT else spec

    report = trace_modes(model_fn)
    assert not report.comparison.clean
    assert report.comparison.failed_modes == ("infer",)
    assert report.mode("infer").error.type == "TypeError"
    assert ("PREDICT failed to build: TypeError: 'NoneType' object cannot be interpreted as "
            "an integer: predict() raises this on its first example because the PREDICT "
            "EstimatorSpec's predictions dict is empty") in str(report)


def test_signature_errors_and_non_spec_results_are_mode_errors():
    def model_fn(features, labels, mode, extra):
        return None

    report = trace_modes(model_fn)  # the Estimator's rule and words (tf.estimator 2.15)
    assert report.mode("train").error.message == (
        f"model_fn ({model_fn}) has following not expected args: ['extra']")
    report = trace_modes(lambda features, labels, mode: {"loss": 1})
    assert report.mode("eval").error.message == "model_fn should return an EstimatorSpec."


def test_custom_features_and_labels():
    import numpy as np

    report = trace_modes(consistent_model_fn, features={"x": np.ones((2, 4), np.float32)},
                         labels=lambda: tf.zeros([2, 1]))
    assert report.mode("eval").op_counts.get("Placeholder", 0) == 0
    assert report.mode("train").error is None


def test_results_are_plain_json_and_html():
    report = trace_modes(consistent_model_fn)
    data = json.loads(report.to_json())
    assert data["modes"][2]["variables"][0]["shape"] == [4, 3]
    html = report._repr_html_()
    assert "<table>" in html and "<code>model/w</code>" in html and "PREDICT" in html
    with pytest.raises(UsageError):
        trace_modes("model_fn")


def test_an_error_inside_the_standard_library_names_the_learners_line():
    """model_fn passes bad JSON to json.loads: the line is model_fn's, not json's decoder
    (the tracer used to skip only TensorFlow and ckptlab frames)."""
    import json
    import os

    def model_fn(features, labels, mode, params):
        settings = json.loads(params["settings"])  # the learner's line
        return consistent_model_fn(features, labels, mode, settings)

    error = trace_modes(model_fn, params={"settings": "{hidden: 8}"}).mode("train").error
    line = model_fn.__code__.co_firstlineno + 1
    assert error.type == "JSONDecodeError"
    assert error.origin == f"{os.path.basename(__file__)}, line {line}"
