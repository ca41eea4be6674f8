"""Shape as text: one rule (ckptlab.render.units.shape_text) for every view (issue 11).

Before, five variants drifted: the ScopeExplorer tree showed `(4)` and `-1` where the
detail line of the same variable said `(4,)` and `?`, and the mode views printed lists.
"""

from __future__ import annotations

import ast
from pathlib import Path

from ckptlab.checkpoint.match import MatchReport, Mismatch
from ckptlab.checkpoint.records import VariableInfo
from ckptlab.checkpoint.targets import BY_NAME, VariableSpec
from ckptlab.render.scopes import target_rows, tree_html
from ckptlab.render.units import shape_text

PACKAGE = Path(__file__).resolve().parents[2] / "ckptlab"


def test_shape_text_reads_like_a_python_tuple_with_unknown_dims_as_question_marks():
    assert shape_text((3, 4)) == "(3, 4)"
    assert shape_text((4,)) == "(4,)"
    assert shape_text(()) == "()"
    assert shape_text((None, 4)) == shape_text((-1, 4)) == "(?, 4)"
    assert shape_text([2, 8]) == "(2, 8)"
    assert shape_text(None) == "unknown"


def test_scope_tree_shows_the_same_shape_text_as_its_detail_line():
    bias = VariableInfo("dense/bias", (8,), "float32", 32, "weight", "dense/bias")
    wanted = VariableSpec("dense/bias", (4,), "float32")
    batch = VariableSpec("dense/kernel", (-1, 4), "float32")
    kernel = VariableInfo("dense/kernel", (3, 4), "float32", 48, "weight", "dense/kernel")
    report = MatchReport("ckpt", BY_NAME, "", ((batch, kernel),), (), (),
                         (Mismatch(wanted, bias),), ())
    rows = target_rows(report)
    html = tree_html("model", rows)
    assert "the model wants (4,), 'dense/bias' holds (8,)" in rows[0].detail
    assert "<code>bias</code> (4,) " in html
    assert "<code>kernel</code> (?, 4) " in html


def test_shape_text_is_written_once():
    """No other function in ckptlab formats a shape: every view calls shape_text."""
    found = []
    for path in [p for d in ("render", "widgets", "commands") for p in (PACKAGE / d).rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name in {"shape_text", "_shape"}:
                found.append(f"{path.relative_to(PACKAGE).as_posix()}:{node.name}")
    assert found == ["render/units.py:shape_text"]
