"""Scope trees as rows (what the CheckpointExplorer's tree shows), no TensorFlow."""

from __future__ import annotations

from ckptlab.render.scope_tree import tree_rows
from ckptlab.scopes import build_tree

TREE = build_tree([("model/dense/kernel", "k", 12, 48), ("model/dense/bias", "b", 4, 16),
                   ("model/dense/kernel/Adam", "ka", 12, 48), ("global_step", "g", 1, 8)])


def test_rows_carry_totals_and_follow_collapse():
    assert [row.label for row in tree_rows(TREE)] == [
        "  global_step  8 B",
        "\u25be model/  [3 variables, 28 values, 112 B]",
        "  \u25be dense/  [3 variables, 28 values, 112 B]",
        "      bias  16 B",
        "      kernel  48 B",
        "    \u25be kernel/  [1 variable, 12 values, 48 B]",
        "        Adam  48 B",
    ]
    closed = tree_rows(TREE, collapsed={"model/dense"})
    assert [row.label for row in closed][-1] == "  \u25b8 dense/  [3 variables, 28 values, 112 B]"
    assert [(r.kind, r.path, r.depth) for r in closed] == [
        ("variable", "g", 0), ("scope", "model", 0), ("scope", "model/dense", 1)]
    assert closed[2].to_dict()["id"] == "scope:model/dense" and not closed[2].is_open
