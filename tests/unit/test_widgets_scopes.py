"""ScopeExplorer from a real dry-run restore (match_restore on a checkpoint index record)."""

from __future__ import annotations

import pytest

from ckptlab.checkpoint import match_restore
from ckptlab.checkpoint.records import CheckpointIndex, VariableInfo
from ckptlab.errors import UsageError
from ckptlab.widgets.scopes import ScopeExplorer
from tests.helpers.imports import heavy_imports_of


def stored(key, shape, kind="weight", dtype="float32"):
    return VariableInfo(key, shape, dtype, 4, kind, key)


INDEX = CheckpointIndex("/ckpt/model.ckpt-3", "name-based", (
    stored("dense/kernel", (4, 4)), stored("dense/bias", (4,)),
    stored("dense_1/kernel", (4, 1)), stored("dense_1/bias", (1,)),
    stored("global_step", (), "step", "int64"), stored("dense/kernel/Adam", (4, 4), "optimizer"),
))
WANTED = [("dense/kernel", (4, 4), "float32"), ("dense/bias", (4,), "float32"),
          ("dense_1/kernel", (4, 2), "float32"), ("extra/w", (3,), "float32"),
          ("outer/dense_1/bias", (1,), "float32")]


def explorer() -> ScopeExplorer:
    return ScopeExplorer(INDEX, WANTED)


def leaf_states(figure) -> dict[str, str]:
    treemap = figure.data[0]
    return {i: t for i, t in zip(treemap.ids, treemap.text, strict=True) if t}


def test_both_sides_show_state_labels_and_restore_keys():
    view = explorer()
    assert view.key_of("dense/kernel") == "dense/kernel"
    assert view.key_of("extra/w") == ""
    model = view.model_pane.value
    assert "matched" in model and "missing from checkpoint" in model
    assert "shape/dtype mismatch" in model
    assert "← <code>dense/bias</code>" in model and "← nothing" in model
    assert "unused in checkpoint" in view.checkpoint_pane.value
    assert "global_step" in view.checkpoint_pane.value
    assert "missing from checkpoint 2" in view.header.value.replace("</span>", "")


def test_state_filter_changes_panes_picker_and_figure():
    view = explorer()
    everything = leaf_states(view.figure)
    assert everything["model variables/extra/w"] == "missing from checkpoint"
    assert everything["checkpoint keys nobody restores/global_step"] == "unused in checkpoint"
    view.show_state("missing")
    assert list(view.variable_picker.options) == ["", "extra/w", "outer/dense_1/bias"]
    assert "dense/kernel" not in view.model_pane.value
    assert set(leaf_states(view.figure).values()) == {"missing from checkpoint"}
    view.show_state("unused")
    assert "global_step" in view.checkpoint_pane.value and "extra/w" not in view.model_pane.value
    with pytest.raises(UsageError):
        view.show_state("lost")


def test_selecting_a_variable_explains_it_and_zooms_the_treemap():
    view = explorer()
    view.select_variable("outer/dense_1/bias")
    assert "did you mean &#x27;dense_1/bias&#x27;" in view.detail.value
    assert "▶ <code>bias</code>" in view.model_pane.value
    assert view.figure.data[0].level == "model variables/outer/dense_1"
    view.select_variable("dense_1/kernel")
    assert "holds (4, 1)" in view.detail.value.replace("&#x27;", "'")
    assert "asks for it with another shape" in view.detail.value
    view.variable_picker.value = ""  # the dropdown: same state as the method
    assert "Pick a variable" in view.detail.value
    with pytest.raises(UsageError):
        view.select_variable("nope")


def test_from_report_and_static_html():
    report = match_restore(INDEX, WANTED)
    view = ScopeExplorer.from_report(report, INDEX)
    page = view._repr_mimebundle_()["text/html"]
    assert "model variables" in page and "checkpoint keys" in page
    assert page.count("unused in checkpoint") >= 3 and "<script" not in page


def test_no_tensorflow_needed():
    assert heavy_imports_of("ckptlab.widgets.scopes") == []


def test_a_state_and_its_count_never_wrap_apart_and_the_notes_are_shown():
    from dataclasses import replace

    from ckptlab.render.scopes import state_counts_html

    view = explorer()
    counts = state_counts_html(view.model_rows)
    assert counts.count('<span style="white-space:nowrap">') == len(
        {row.state for row in view.model_rows})
    swap = "'dense' is built by cell [1], line 4 in eval but by cell [1], line 3 in train"
    noted = ScopeExplorer.from_report(replace(match_restore(INDEX, WANTED), notes=(swap,)),
                                      INDEX)
    assert "<li>&#x27;dense&#x27; is built by cell [1], line 4" in noted.header.value
    assert "is built by cell [1], line 4 in eval" in noted._repr_html_()
