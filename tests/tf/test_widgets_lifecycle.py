"""LifecycleTimeline fed live by the real engine: restores per predict() call, side by side."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from ckptlab.estimator import Estimator, EstimatorSpec, ModeKeys
from ckptlab.estimator.exporting import build_raw_serving_input_receiver_fn
from ckptlab.widgets.lifecycle import LifecycleTimeline

_v1 = tf.compat.v1


def model_fn(features, labels, mode):
    weight = _v1.get_variable("w", [1, 1])
    prediction = tf.matmul(features["x"], weight)
    if mode == ModeKeys.PREDICT:
        return EstimatorSpec(mode, predictions=prediction)
    loss = tf.reduce_mean((prediction - labels) ** 2)
    train_op = _v1.train.GradientDescentOptimizer(0.1).minimize(
        loss, _v1.train.get_global_step())
    return EstimatorSpec(mode, loss=loss, train_op=train_op)


def train_input():
    x = np.ones((4, 1), np.float32)
    return tf.data.Dataset.from_tensor_slices(({"x": x}, 2 * x)).batch(2).repeat()


def examples_input(count):
    x = np.arange(count, dtype=np.float32).reshape(count, 1)
    return lambda: tf.data.Dataset.from_tensor_slices({"x": x}).batch(1)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("model")
    Estimator(model_fn, model_dir=str(directory)).train(train_input, steps=2)
    return str(directory)


def lane_sizes(timeline):
    return {trace.name.split(" (")[0]: len(trace.x) for trace in timeline.figure.data}


def test_timeline_redraws_while_predict_runs(model_dir):
    estimator = Estimator(model_fn, model_dir=model_dir)
    timeline = LifecycleTimeline(estimator, name="predict per example", examples=3,
                                 redraw_every=0)
    seen_during_calls = []
    estimator.recorder.subscribe(
        lambda event: seen_during_calls.append(lane_sizes(timeline)["restore"])
        if event.kind == "checkpoint_restored" else None)
    for example in range(3):
        list(estimator.predict(examples_input(1)))
        assert lane_sizes(timeline)["restore"] == example + 1
    assert seen_during_calls == [1, 2, 3]  # drawn before each call had even finished
    summary = timeline.summary()
    assert (summary.counts["model_fn"], summary.counts["graph"], summary.counts["restore"]) \
        == (3, 3, 3)
    assert summary.restores_per_example == 1


def test_generator_and_saved_model_restore_once(model_dir, tmp_path):
    per_example = Estimator(model_fn, model_dir=model_dir)
    for _ in range(4):
        list(per_example.predict(examples_input(1)))
    generator = Estimator(model_fn, model_dir=model_dir)
    assert len(list(generator.predict(examples_input(4)))) == 4
    exported = Estimator(model_fn, model_dir=model_dir)
    receiver_fn = build_raw_serving_input_receiver_fn(
        {"x": tf.TensorSpec([None, 1], tf.float32)})
    exported.export_saved_model(str(tmp_path / "export"), receiver_fn)

    timeline = LifecycleTimeline(per_example, name="predict per example", examples=4)
    timeline.add_session("one generator", generator, examples=4)
    timeline.add_session("SavedModel", exported, examples=4)
    timeline.show("compare")
    restores = next(trace for trace in timeline.figure.data if trace.name == "restores")
    assert list(restores.x) == [4, 1, 1]
    page = timeline._repr_html_()
    assert "export_saved_model()" in page and "restores per example" in page
    timeline.show("timeline")
    timeline.select_session("SavedModel")
    assert lane_sizes(timeline)["restore"] == 1
    assert "export_saved_model" in timeline.header.value

