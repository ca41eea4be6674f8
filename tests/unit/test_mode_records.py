"""compare_modes and the text view of a mode trace, on hand-made records (no TensorFlow)."""

from __future__ import annotations

from ckptlab.render.modes import findings, mode_report_text, notes, problems
from ckptlab.trace.mode_records import (
    ModeError,
    ModeReport,
    ModeTrace,
    NameShift,
    ShapeDifference,
    TracedVariable,
    compare_modes,
)


def var(name, shape=(4, 4), line=0, local=False, trainable=True):
    origin = f"model.py:{line}" if line else ""
    return TracedVariable(name, name.rpartition("/")[0], shape, "float32", trainable, local,
                          origin, 0)


def layer(name, line, units=4):
    return [var(f"{name}/kernel", (4, units), line), var(f"{name}/bias", (units,), line)]


def trace(mode, *variables, error=None, spec=None):
    return ModeTrace(mode, tuple(variables), {"MatMul": 1, "Const": 2}, {},
                     spec if spec is not None else {}, error)


def report(*traces):
    return ModeReport(traces, compare_modes(traces))


def test_same_variables_everywhere_plus_optimizer_slots_is_clean():
    train = trace("train", *layer("dense", 5), var("dense/kernel/Adam", (4, 4), 12))
    comparison = compare_modes((train, trace("eval", *layer("dense", 5)),
                                trace("infer", *layer("dense", 5))))
    assert comparison.only_in_some == {"dense/kernel/Adam": ("train",)}
    assert comparison.clean
    assert not comparison.shifted and not comparison.missing_from_train_checkpoint


def test_variable_only_in_predict_is_missing_from_the_train_checkpoint():
    predict = trace("infer", *layer("dense", 5), var("calibration", (), 9))
    comparison = compare_modes((trace("train", *layer("dense", 5)),
                                trace("eval", *layer("dense", 5)), predict))
    assert comparison.missing_from_train_checkpoint == {"infer": ("calibration",)}
    assert comparison.only_in_some == {"calibration": ("infer",)}
    assert not comparison.clean


def test_global_step_and_local_variables_are_never_missing():
    evaluation = trace("eval", *layer("dense", 5), var("global_step", (), 0),
                       var("mean/total", (), 7, local=True))
    comparison = compare_modes((trace("train", *layer("dense", 5)), evaluation))
    assert comparison.missing_from_train_checkpoint == {}
    assert comparison.only_in_some == {"global_step": ("eval",)}


def test_a_train_only_layer_shifts_the_auto_numbers_of_the_next_ones():
    train = trace("train", *layer("dense", 5), *layer("dense_1", 7), *layer("dense_2", 8))
    evaluation = trace("eval", *layer("dense", 7), *layer("dense_1", 8))
    shifts = compare_modes((train, evaluation)).shifted
    assert [(s.origin, s.train_name, s.mode, s.name, s.other_origin) for s in shifts] == [
        ("model.py:7", "dense_1", "eval", "dense", ""),
        ("model.py:8", "dense_2", "eval", "dense_1", "")]
    assert shifts[0].detail.startswith("auto-numbered names shifted ('dense_1' vs 'dense')")


def test_layers_built_in_swapped_order_are_flagged_by_their_lines():
    train = trace("train", *layer("dense", 9), *layer("dense_1", 11))
    predict = trace("infer", *layer("dense", 11), *layer("dense_1", 9))
    shifts = compare_modes((train, predict)).shifted
    assert [(s.origin, s.train_name, s.name, s.other_origin) for s in shifts] == [
        ("model.py:9", "dense", "dense_1", ""), ("model.py:11", "dense_1", "dense", "")]


def test_one_line_making_two_layers_in_train_and_two_lines_elsewhere():
    """`a, b = dense(x), dense(y)` in TRAIN, then b and a on two lines in PREDICT."""
    train = trace("train", *layer("dense", 9), *layer("dense_1", 9))
    predict = trace("infer", *layer("dense", 12), *layer("dense_1", 11))
    shifts = compare_modes((train, predict)).shifted
    assert shifts == (
        NameShift("model.py:9", "dense", "infer", "dense",
                  "the auto-generated layer name 'dense' comes from another line of code",
                  "model.py:12"),
        NameShift("model.py:9", "dense_1", "infer", "dense_1",
                  "the auto-generated layer name 'dense_1' comes from another line of code",
                  "model.py:11"))


def test_shape_change_between_modes():
    comparison = compare_modes((trace("train", *layer("dense", 5, units=8)),
                                trace("infer", *layer("dense", 5, units=16))))
    assert comparison.shape_differences == (
        ShapeDifference("dense/bias", {"train": (8,), "infer": (16,)}),
        ShapeDifference("dense/kernel", {"train": (4, 8), "infer": (4, 16)}))
    assert not comparison.clean


def test_a_failed_mode_is_left_out_of_the_name_comparison():
    failed = trace("eval", error=ModeError("ValueError", "Variable dense/kernel does not exist",
                                           "model.py:4"))
    comparison = compare_modes((trace("train", *layer("dense", 4)), failed,
                                trace("infer", *layer("dense", 4))))
    assert comparison.failed_modes == ("eval",)
    assert comparison.only_in_some == {}  # an unfinished graph is not evidence
    assert not comparison.clean


def test_problems_come_first_and_harmless_extras_are_notes():
    swapped = report(trace("train", *layer("dense", 9), *layer("dense_1", 9),
                           var("dense/kernel/Adam", (4, 4), 20)),
                     trace("infer", *layer("dense", 12), *layer("dense_1", 11)))
    assert problems(swapped)[0] == (
        "'dense' is built by model.py:9 in TRAIN but by model.py:12 in PREDICT: if these "
        "are different layers, PREDICT silently restores the other layer's weights; give "
        "each layer an explicit name=.")
    assert len(problems(swapped)) == 2
    assert notes(swapped) == [
        "Fine: 1 variable(s) exist in TRAIN but not in every other mode (a checkpoint may "
        "hold extras, e.g. optimizer slots): dense/kernel/Adam."]
    assert findings(swapped) == problems(swapped) + notes(swapped)


def test_full_text_of_a_report_with_a_missing_variable_and_a_failed_mode():
    text = mode_report_text(report(
        trace("train", *layer("out", 3, units=1), spec={"loss": "Tensor float32 []",
                                                         "train_op": "Operation NoOp"}),
        trace("eval", error=ModeError("ValueError", "Variable out/kernel does not exist",
                                      "model.py:3")),
        trace("infer", *layer("out", 3, units=1), var("scale", (), 6, trainable=False),
              var("count", (), 7, local=True), spec={"predictions": "Tensor float32 [None, 1]"}),
    ))
    assert text == """\
Mode trace: model_fn built in TRAIN, EVAL and PREDICT, one fresh graph each

TRAIN    built: 2 variables, 3 ops, spec fields: loss, train_op
EVAL     FAILED (ValueError): 0 variables, 3 ops, spec fields: -
PREDICT  built: 4 variables, 3 ops, spec fields: predictions

Variables (creation order):
  TRAIN:
    out/kernel (4, 1) float32  <- model.py:3
    out/bias (1,) float32  <- model.py:3
  EVAL:
    (none)
  PREDICT:
    out/kernel (4, 1) float32  <- model.py:3
    out/bias (1,) float32  <- model.py:3
    scale () float32 (not trainable)  <- model.py:6
    count () float32 (local, not saved)  <- model.py:7

Findings:
  1. EVAL failed to build at model.py:3: ValueError: Variable out/kernel does not exist
  2. PREDICT creates 1 variable(s) a TRAIN checkpoint will not contain: scale. Restoring \
fails with 'Key scale not found in checkpoint'; create them in every mode."""


def test_text_says_the_modes_agree_when_only_extras_differ():
    text = mode_report_text(report(trace("train", *layer("d", 2), var("d/kernel/m", (4, 4), 9)),
                                   trace("infer", *layer("d", 2))))
    assert text.endswith("Findings: none, the modes agree.\n"
                         "  Fine: 1 variable(s) exist in TRAIN but not in every other mode "
                         "(a checkpoint may hold extras, e.g. optimizer slots): d/kernel/m.")


def test_the_restore_plan_is_decided_by_the_record_not_by_a_view():
    """ModeReport.restore_plan is THE plan of EVAL/PREDICT against the TRAIN checkpoint;
    the ModeExplorer's rows only word it (issue 11: a renderer used to decide it)."""
    from ckptlab.render.modes import mode_rows

    swapped = report(trace("train", *layer("dense", 9), *layer("dense_1", 11)),
                     trace("infer", *layer("dense", 11), *layer("dense_1", 9),
                           var("extra", (2,), 12)))
    plan = {p.name: p.state for p in swapped.restore_plan("infer")}
    assert plan == {"dense/kernel": "swapped", "dense/bias": "swapped",
                    "dense_1/kernel": "swapped", "dense_1/bias": "swapped",
                    "extra": "missing", "global_step": "unused"}
    rows = {row.name: row.state for row in mode_rows(swapped, "infer", plan=True)}
    assert rows == plan
