"""Reading real checkpoints: ckptlab's own index reader agrees with TensorFlow's."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from ckptlab.checkpoint import inspect_checkpoint, read_value
from ckptlab.scopes import VARIABLE_VALUE_SUFFIX
from tests.helpers.checkpoints import (
    make_keras_weights,
    make_object_checkpoint,
    make_tf1_model_dir,
)


@pytest.fixture(scope="session")
def tf1_dir(tmp_path_factory):
    return make_tf1_model_dir(tmp_path_factory.mktemp("tf1"))


@pytest.fixture(scope="session")
def object_dir(tmp_path_factory):
    return make_object_checkpoint(tmp_path_factory.mktemp("objects"))


@pytest.fixture(scope="session")
def keras_h5(tmp_path_factory):
    return make_keras_weights(tmp_path_factory.mktemp("keras"))


def _tf_listing(prefix: str) -> dict[str, tuple[int, ...]]:
    return {name: tuple(shape) for name, shape in tf.train.list_variables(prefix)}


def test_name_based_index_matches_tensorflow(tf1_dir):
    index = inspect_checkpoint(tf1_dir)
    assert index.format == "name-based"
    assert {v.key: v.shape for v in index.variables} == _tf_listing(index.path)
    assert index.step == 3
    assert [p.rsplit("-", 1)[1] for p in index.all_checkpoints] == ["3", "2", "1"]
    kinds = {v.key: v.kind for v in index.variables}
    assert kinds["model/dense/kernel"] == "weight"
    assert kinds["model/dense/kernel/Adam_1"] == "optimizer"
    assert kinds["beta1_power"] == "optimizer"
    assert kinds["global_step"] == "step"
    assert index.variable("model/dense/kernel/Adam").slot_of == "model/dense/kernel"
    assert index.variable("model/dense/kernel").nbytes == 3 * 4 * 4


def test_values_match_tensorflow(tf1_dir, object_dir, keras_h5):
    for path in (tf1_dir, object_dir):
        index = inspect_checkpoint(path)
        reader = tf.train.load_checkpoint(index.path)
        for variable in index.variables:
            np.testing.assert_array_equal(read_value(index, variable.key),
                                          reader.get_tensor(variable.key))
    index = inspect_checkpoint(keras_h5)
    assert index.format == "keras-h5"
    assert index.variable("layers/dense/vars/0").shape == (3, 4)
    assert read_value(index, "layers/dense_1/vars/1").shape == (2,)


def test_object_based_shows_paths_owners_and_slots(object_dir):
    index = inspect_checkpoint(object_dir)
    assert index.format == "object-based"
    tf_keys = set(_tf_listing(index.path)) - {"_CHECKPOINTABLE_OBJECT_GRAPH"}
    assert set(index.keys) == tf_keys
    kernel = index.variable("model/dense1/_kernel" + VARIABLE_VALUE_SUFFIX)
    assert (kernel.path, kernel.owner, kernel.kind) == ("model/dense1/_kernel",
                                                        "model/dense1", "weight")
    slots = [v for v in index.variables if v.slot_of == "model/dense1/_kernel"]
    assert sorted(v.slot for v in slots) == ["momentums", "velocities"]
    assert all(v.kind == "optimizer" for v in slots)
    assert index.variable("save_counter" + VARIABLE_VALUE_SUFFIX).kind == "step"
    root_children = dict(index.objects)[""]
    assert set(root_children) >= {"model", "optimizer", "save_counter"}
    tree = index.tree()
    assert tree.find("model/dense1").variables == 2
    assert tree.variables == len(index.variables)
    assert tree.nbytes == sum(v.nbytes for v in index.variables)


def test_json_is_stable_and_complete(tf1_dir):
    data = inspect_checkpoint(tf1_dir).to_dict()
    assert data["schema"] == "ckptlab.checkpoint/1"
    assert data["totals"]["variables"] == len(data["variables"]) == 3 * 3 + 3
    assert data["totals"]["by_kind"]["weight"]["variables"] == 3
    first = data["variables"][0]
    assert set(first) >= {"key", "shape", "dtype", "bytes", "kind", "elements"}
