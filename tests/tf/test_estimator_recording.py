"""What the engine records per call, and estimator/capture.py on its own."""

from __future__ import annotations

import json
import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # before TensorFlow: tf.compat.v1.layers

import tensorflow as tf

from ckptlab.estimator import Estimator
from ckptlab.estimator.capture import GraphIds, VariableCapture, graph_facts, record_graph
from ckptlab.events import Recorder
from tests.helpers.estimator_models import (
    eval_input,
    quiet_config,
    regression_model_fn,
    train_input,
)

v1 = tf.compat.v1


def test_one_train_call_records_its_lifecycle_in_order(tmp_path):
    est = Estimator(regression_model_fn, model_dir=str(tmp_path), config=quiet_config(),
                    params={})
    est.train(train_input(), steps=2)
    kinds = [e.kind for e in est.recorder.events if e.kind != "variable_created"]
    assert kinds == ["call_begin", "input_fn_called", "model_fn_called", "graph_built",
                     "session_created", "checkpoint_saved", "checkpoint_saved", "call_end"]
    assert {e.call for e in est.recorder.events} == {0}
    created = [e.data for e in est.recorder.of_kind("variable_created")]
    assert [(v["name"], v["shape"], v["trainable"], v["scope"], v["order"]) for v in created
            ] == [("global_step", [], False, "", 0),
                  ("model/dense/kernel", [3, 4], True, "model/dense", 1),
                  ("model/dense/bias", [4], True, "model/dense", 2),
                  ("model/dense_1/kernel", [4, 1], True, "model/dense_1", 3),
                  ("model/dense_1/bias", [1], True, "model/dense_1", 4)]
    assert created[0]["dtype"] == "int64" and created[1]["dtype"] == "float32"
    graph = est.recorder.of_kind("graph_built")[0].data
    assert graph["op_counts"]["MatMul"] >= 2 and graph["ops"] == sum(
        graph["op_counts"].values())
    json.dumps([e.to_dict() for e in est.recorder.events])  # all JSON values


def test_evaluate_records_restore_with_path_step_and_variable_count(tmp_path):
    est = Estimator(regression_model_fn, model_dir=str(tmp_path), config=quiet_config(),
                    params={})
    est.train(train_input(), steps=3)
    est.evaluate(eval_input)
    restored = est.recorder.of_kind("checkpoint_restored")[-1]
    assert restored.data == {"path": os.path.join(str(tmp_path), "model.ckpt-3"), "step": 3,
                             "variables": 5}
    assert restored.call == 1
    locals_ = [e.data["name"] for e in est.recorder.of_kind("variable_created")
               if e.call == 1 and e.data["local"]]
    assert locals_ == ["mean_absolute_error/total", "mean_absolute_error/count"]


def test_capture_works_on_a_plain_graph():
    recorder, ids = Recorder(), GraphIds()
    graph = tf.Graph()
    with graph.as_default(), VariableCapture() as capture:
        with v1.variable_scope("outer"):
            v1.get_variable("w", [2, 3])
        tf.Variable(1.0, name="plain", trainable=False)
    assert [(v.name, v.scope, v.trainable) for v in capture.variables] == [
        ("outer/w", "outer", True), ("plain", "", False)]
    assert ids.of(graph) == 1 and ids.of(tf.Graph()) == 2 and ids.of(graph) == 1
    record_graph(recorder, ids.of(graph), graph, capture)
    assert recorder.counts() == {"variable_created": 2, "graph_built": 1}
    assert graph_facts(graph)["collections"]["trainable_variables"] == 1
