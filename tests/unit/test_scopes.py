"""TensorFlow naming rules (ckptlab.scopes), no TensorFlow needed."""

from __future__ import annotations

import pytest

from ckptlab.scopes import (
    build_tree,
    classify,
    keras3_slot_of_path,
    layer_of,
    rename_reason,
    slot_of,
    split_auto_number,
    strip_auto_numbers,
    strip_output_suffix,
    suggest_layer_renames,
    suggest_renames,
)

V = "/.ATTRIBUTES/VARIABLE_VALUE"


@pytest.mark.parametrize("key, kind", [
    ("dense/kernel", "weight"), ("dense/kernel/Adam", "optimizer"),
    ("dense/kernel/Adam_1", "optimizer"), ("beta2_power", "optimizer"),
    ("global_step", "step"), ("save_counter" + V, "step"),
    ("model/dense1/_kernel" + V, "weight"), ("optimizer/_variables/3" + V, "optimizer"),
    ("model/d/kernel/.OPTIMIZER_SLOT/optimizer/m" + V, "optimizer"),
    ("_CHECKPOINTABLE_OBJECT_GRAPH", "other"),
    ("layer/.ATTRIBUTES/OBJECT_CONFIG_JSON", "other"),
])
def test_classify(key, kind):
    assert classify(key) == kind


def test_slots_and_suffixes():
    assert slot_of("a/b/Adam_1").variable == "a/b" and slot_of("a/b/Adam_1").slot == "1"
    assert slot_of("m/k/.OPTIMIZER_SLOT/opt/v" + V).variable == "m/k"
    assert slot_of("model/dense/kernel") is None
    assert keras3_slot_of_path("optimizer/_momentums/2") == (
        "optimizer/_trainable_variables/2", "momentums")
    assert keras3_slot_of_path("optimizer/_variables/2") is None
    assert strip_output_suffix("a/b:0") == "a/b"
    assert split_auto_number("dense_12") == ("dense", 12)
    assert split_auto_number("dense") == ("dense", 0)
    assert strip_auto_numbers("m/dense_1/kernel:0") == "m/dense/kernel"


def test_renames():
    assert rename_reason("dense/kernel", "outer/dense/kernel").reason == "scope_prefix"
    assert rename_reason("dense_1/kernel", "dense_2/kernel").reason == "auto_number"
    assert rename_reason("dense/kernel", "conv/kernel") is None
    pairs = suggest_renames(["dense_2/kernel"], ["dense/kernel", "dense_1/kernel"])
    assert [(r.wanted, r.found) for r in pairs] == [("dense_2/kernel", "dense_1/kernel")]


def test_renamed_layers_pair_only_when_unique():
    assert layer_of("layers/dense_1/vars/0") == "layers/dense_1"
    assert layer_of("model/dense/kernel") == "model/dense"
    missing = [("out/vars/0", (4, 2)), ("out/vars/1", (2,))]
    found = suggest_layer_renames(missing, [("head/vars/0", (4, 2)), ("head/vars/1", (2,)),
                                            ("other/vars/0", (4, 2))])
    assert [(r.wanted, r.found, r.reason) for r in found] == [
        ("out/vars/0", "head/vars/0", "renamed_layer"),
        ("out/vars/1", "head/vars/1", "renamed_layer")]
    twins = [("a/vars/0", (4, 2)), ("a/vars/1", (2,)), ("b/vars/0", (4, 2)), ("b/vars/1", (2,))]
    assert suggest_layer_renames(missing, twins) == []  # two candidates: no guess
    assert suggest_layer_renames(missing, [("head/vars/0", (4, 3)), ("head/vars/1", (3,))]) == []


def test_tree_totals():
    tree = build_tree([("a/b/c", "k1", 3, 12), ("a/d", "k2", 2, 8), ("e", "k3", 1, 4)])
    assert (tree.variables, tree.elements, tree.nbytes) == (3, 6, 24)
    assert tree.find("a").nbytes == 20 and tree.find("a/b/c").key == "k1"
    assert [n.name for _, n in tree.walk()] == ["", "a", "b", "c", "d", "e"]


def test_step_of_prefix_reads_the_trailing_number_only():
    from ckptlab.scopes import step_of_prefix

    assert step_of_prefix("/runs/a-1/model.ckpt-1200") == 1200
    assert step_of_prefix("ckpt-7") == 7
    assert step_of_prefix("/runs/a-1/model.ckpt") is None
    assert step_of_prefix(None) is None
