"""diff and dry-run restore (match) on real checkpoints."""

from __future__ import annotations

import json
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from ckptlab.checkpoint import diff_checkpoints, inspect_checkpoint, match_restore
from tests.helpers.checkpoints import TwoLayers, make_object_checkpoint, make_tf1_model_dir


@pytest.fixture(scope="module")
def tf1_dir(tmp_path_factory):
    return make_tf1_model_dir(tmp_path_factory.mktemp("tf1"), steps=2)


@pytest.fixture(scope="module")
def object_dir(tmp_path_factory):
    return make_object_checkpoint(tmp_path_factory.mktemp("objects"))


def test_diff_two_steps_of_one_run(tf1_dir):
    newest, older = inspect_checkpoint(tf1_dir).all_checkpoints[:2]
    diff = diff_checkpoints(older, newest)
    assert not diff.added and not diff.removed and not diff.shape_changed
    changes = {c.key: c for c in diff.values}
    assert changes["global_step"].max_abs == 1
    assert changes["model/dense/kernel"].changed
    reader_a, reader_b = tf.train.load_checkpoint(older), tf.train.load_checkpoint(newest)
    expected = np.abs(reader_b.get_tensor("model/dense/bias")
                      - reader_a.get_tensor("model/dense/bias")).max()
    assert changes["model/dense/bias"].max_abs == pytest.approx(expected)
    assert diff_checkpoints(newest, newest).is_empty


def test_diff_reports_added_removed_and_shape_changes(tmp_path, object_dir):
    small = tf.train.Checkpoint(model=TwoLayers(4))
    small.save(str(tmp_path / "small" / "ckpt"))
    wide = tf.train.Checkpoint(model=TwoLayers(8))
    wide.save(str(tmp_path / "wide" / "ckpt"))
    diff = diff_checkpoints(tmp_path / "small", tmp_path / "wide")
    assert {a.path for a, _ in diff.shape_changed} == {
        "model/dense1/_kernel", "model/dense1/bias", "model/dense2/_kernel"}
    with_optimizer = diff_checkpoints(tmp_path / "small", object_dir)
    assert any(v.kind == "optimizer" for v in with_optimizer.added)
    result = subprocess.run([sys.executable, "-m", "ckptlab", "diff", str(tmp_path / "small"),
                             str(tmp_path / "wide"), "--json"], capture_output=True, text=True)
    data = json.loads(result.stdout)
    assert data["schema"] == "ckptlab.diff/1" and len(data["shape_changed"]) == 3


def test_match_keras_model_by_object_path(object_dir):
    report = match_restore(object_dir, TwoLayers(4))
    assert report.by == "object path" and report.root == "model"
    assert len(report.matched) == 4 and report.ok
    assert all(v.kind != "weight" for v in report.unused)  # optimizer state, save_counter
    wider = match_restore(object_dir, TwoLayers(8))
    assert sorted(m.spec.name for m in wider.mismatched) == [
        "dense1/_kernel", "dense1/bias", "dense2/_kernel"]
    assert not wider.ok


def test_match_tf_module_and_renamed_attribute(tmp_path):
    class Net(tf.Module):
        def __init__(self, attribute):
            super().__init__()
            setattr(self, attribute, tf.Variable(tf.zeros([2, 3])))

    tf.train.Checkpoint(net=Net("weights")).save(str(tmp_path / "ckpt"))
    assert match_restore(tmp_path, Net("weights"), root="net").ok
    renamed = match_restore(tmp_path, Net("kernel"), root="net")
    assert [s.name for s in renamed.missing] == ["kernel"]
    assert [v.path for v in renamed.unused if v.kind == "weight"] == ["net/weights"]


def test_match_graph_variables_with_shifted_auto_numbers(tf1_dir):
    graph = tf.Graph()
    with graph.as_default(), tf.compat.v1.variable_scope("model"):
        tf.compat.v1.get_variable("dense_2/kernel", [4, 1])  # numbered one layer later
        tf.compat.v1.get_variable("dense/bias", [8])  # a shape change
    report = match_restore(tf1_dir, graph.get_collection("variables"))
    assert [s.name for s in report.missing] == ["model/dense_2/kernel"]
    assert [m.spec.name for m in report.mismatched] == ["model/dense/bias"]
    assert report.mismatched[0].what == "shape"
    assert [(r.wanted, r.found, r.reason) for r in report.suggestions] == [
        ("model/dense_2/kernel", "model/dense_1/kernel", "auto_number")]


def test_match_plain_specs_with_a_scope_prefix(tf1_dir):
    specs = [("outer/model/dense/kernel:0", (3, 4), "float32"), ("global_step", (), "int64")]
    report = match_restore(tf1_dir, specs)
    assert [s.name for s, _ in report.matched] == ["global_step"]
    assert report.suggestions[0].found == "model/dense/kernel"
    assert report.suggestions[0].reason == "scope_prefix"


def test_match_keras_sequential_in_weights_h5_is_by_name(tmp_path):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
    model.save_weights(str(tmp_path / "a.weights.h5"))
    index = inspect_checkpoint(tmp_path / "a.weights.h5")
    assert {v.key for v in index.variables} == {"layers/dense/vars/0", "layers/dense/vars/1"}
