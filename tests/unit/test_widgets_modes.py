"""ModeExplorer driven through its public actions, from a ModeReport built from records."""

from __future__ import annotations

import pytest

from ckptlab.errors import UsageError
from ckptlab.trace.mode_records import ModeReport, ModeTrace, TracedVariable, compare_modes
from ckptlab.widgets.modes import ModeExplorer


def variables(*specs):
    """(name, shape, line) -> TracedVariable in creation order."""
    return tuple(TracedVariable(name, name.split("/")[0], shape, "float32", True, False,
                                f"model.py:{line}", order)
                 for order, (name, shape, line) in enumerate(specs))


def layer(name, line):
    return [(f"{name}/kernel", (4, 4), line), (f"{name}/bias", (4,), line)]


def report() -> ModeReport:
    """TRAIN: line 9 makes dense, line 11 dense_1. EVAL adds a variable TRAIN never saves.
    PREDICT builds line 11 first: the auto-numbered names swap, shapes equal."""
    train = ModeTrace("train", variables(*layer("dense", 9), *layer("dense_1", 11)),
                      {"MatMul": 2, "ApplyAdam": 4, "Const": 10},
                      {"update_ops": 2, "variables": 5}, {"loss": "Tensor float32 []",
                                                          "train_op": "Operation NoOp"})
    evaluation = ModeTrace("eval", variables(*layer("dense", 9), *layer("dense_1", 11),
                                             ("eval_only/w", (1,), 20)),
                           {"MatMul": 2, "Const": 8}, {"update_ops": 0}, {"loss": "Tensor"})
    predict = ModeTrace("infer", variables(*layer("dense", 11), *layer("dense_1", 9)),
                        {"MatMul": 2, "Const": 6}, {}, {"predictions": "Tensor"})
    traces = (train, evaluation, predict)
    return ModeReport(traces, compare_modes(traces))


def test_three_columns_show_variables_in_creation_order_with_flags():
    explorer = ModeExplorer(report())
    assert list(explorer.columns) == ["train", "eval", "infer"]
    train_html, eval_html = explorer.columns["train"].value, explorer.columns["eval"].value
    assert train_html.index("dense/kernel") < train_html.index("dense_1/kernel")
    assert "only in EVAL" in eval_html
    assert "name shifted: dense_1/… in TRAIN" in explorer.columns["infer"].value
    assert "<b>update_ops</b>" in train_html and "EstimatorSpec fields" in train_html
    assert "restore plan" not in eval_html
    assert "eval_only/w" in explorer.findings.value


def test_restore_plan_switch_marks_missing_matched_and_swapped():
    explorer = ModeExplorer(report())
    explorer.show_restore_plan(True)
    assert explorer.plan_switch.value is True
    plan = explorer.restore_plan
    assert plan["eval"]["dense/kernel"] == "matched"
    assert plan["eval"]["eval_only/w"] == "missing"
    assert plan["infer"]["dense/kernel"] == "swapped"
    assert plan["infer"]["global_step"] == "unused"
    eval_html = explorer.columns["eval"].value
    assert "missing from checkpoint" in eval_html and "matched" in eval_html
    assert "silently swapped" in explorer.columns["infer"].value
    assert "restore plan" not in explorer.columns["train"].value
    explorer.plan_switch.value = False  # the toggle button does the same
    assert "missing from checkpoint" not in explorer.columns["eval"].value


def test_selecting_a_variable_highlights_it_in_every_column():
    explorer = ModeExplorer(report())
    explorer.show_restore_plan()
    explorer.select_variable("eval_only/w")
    assert "▶ <code>eval_only/w" in explorer.columns["eval"].value
    assert "<b>TRAIN</b>: not created" in explorer.detail.value
    assert "missing from checkpoint" in explorer.detail.value
    explorer.select_variable("dense/kernel")
    assert "model.py:11" in explorer.detail.value and "silently swapped" in explorer.detail.value
    with pytest.raises(UsageError):
        explorer.select_variable("nope")


def test_op_counts_figure_filters_types_some_modes_lack():
    explorer = ModeExplorer(report())
    assert [t.name.split(" (")[0] for t in explorer.figure.data] == ["TRAIN", "EVAL", "PREDICT"]
    assert list(explorer.figure.data[0].y) == ["Const", "MatMul", "ApplyAdam"]
    explorer.show_ops("some_modes")
    assert list(explorer.figure.data[0].y) == ["ApplyAdam"]
    assert [list(t.x) for t in explorer.figure.data] == [[4], [0], [0]]
    with pytest.raises(UsageError):
        explorer.show_ops("some")


def test_html_fallback_has_the_three_columns_and_no_scripts():
    explorer = ModeExplorer(report())
    page = explorer._repr_mimebundle_()["text/html"]
    assert all(label in page for label in ("TRAIN", "EVAL", "PREDICT"))
    assert "<script" not in page


def test_rebuild_needs_a_model_fn():
    with pytest.raises(UsageError):
        ModeExplorer(report()).rebuild()


def test_rows_that_differ_lead_and_the_rest_is_folded():
    from ckptlab.render.modes import VariableRow, differs

    row = lambda name, flags=(), state="": VariableRow(name, "[4]", "float32", "", 1,  # noqa: E731
                                                       flags, state)
    assert differs(row("dense/kernel", state="swapped"))
    assert differs(row("dense/kernel", ("name shifted: dense_1/… in TRAIN",)))
    assert differs(row("scale", ("only in PREDICT",)))  # a weight one mode lacks
    assert not differs(row("dense/kernel/Adam", ("only in TRAIN",)))  # optimizer state
    assert not differs(row("dense/bias", state="matched"))
