"""Each exercise: the reference solution passes, each known-wrong variant fails as expected.

Runs through `ckptlab grade` machinery (sandboxed children, 2 workers), so the CSV of
points is checked on real reports too.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from ckptlab.classroom.grading import grade_folder
from ckptlab.exercises import EXERCISES
from ckptlab.exercises.answers import answered_source
from tests.helpers.nbgrader_variants import NBGRADER_WRONG

SUBMISSIONS = Path(__file__).resolve().parents[1] / "submissions"

EXPECTED = {
    "estimator-first-model-fn": {
        "wrong_feature_key.py": "LEARNER_EXCEPTION",
        "wrong_bias_only_in_predict.py": "MODE_ONLY_VARIABLE"},
    "estimator-step-in-checkpoint": {
        "wrong_update_without_step.py": "GLOBAL_STEP_NOT_INCREMENTED",
        "wrong_own_step_variable.py": "GLOBAL_STEP_NOT_INCREMENTED"},
    "estimator-stable-names": {
        "wrong_gate_built_late.py": "NAME_DRIFT",
        "wrong_scope_named_after_mode.py": "MODE_ONLY_VARIABLE"},
    "estimator-spec-per-mode": {
        "wrong_predictions_only.py": "SPEC_MISSING_FIELD",
        "wrong_eval_without_loss.py": "SPEC_MISSING_FIELD",
        "wrong_no_params_argument.py": "MODEL_FN_SIGNATURE"},
    "estimator-checkpoint-config": {
        "wrong_checkpointing_off.py": "NO_CHECKPOINT",
        "wrong_step_not_counted.py": "GLOBAL_STEP_NOT_INCREMENTED"},
    "estimator-mode-consistency": {
        "wrong_mode_only_variable.py": "MODE_ONLY_VARIABLE",
        "wrong_auto_named_swap.py": "NAME_DRIFT",
        "wrong_reuse_outside_train.py": "REUSE_IN_NEW_GRAPH"},
    "estimator-serving": {
        "wrong_predict_per_example.py": "EXCESSIVE_RESTORE",
        "wrong_dropout_always_on.py": "NONDETERMINISTIC_PREDICT",
        "wrong_new_estimator_per_example.py": "EXCESSIVE_RESTORE"},
    "estimator-training-state": {
        "wrong_missing_update_ops.py": "MISSING_UPDATE_OPS",
        "wrong_update_ops_outside_minimize.py": "MISSING_UPDATE_OPS",
        "wrong_no_global_step.py": "GLOBAL_STEP_NOT_INCREMENTED",
        "wrong_params_shape_change.py": "SHAPE_MISMATCH"},
    "tf2-round-trip": {
        "wrong_renamed_expect_partial.py": "OBJECT_PATH_MISMATCH",
        "wrong_write_then_latest.py": "WRONG_CHECKPOINT_PATH",
        "wrong_unbuilt_assert_consumed.py": "UNRESOLVED_OBJECTS"},
    "keras-weights-files": {
        "wrong_h5_read_by_checkpoint.py": "FORMAT_MISMATCH",
        "wrong_checkpoint_read_by_load_weights.py": "FORMAT_MISMATCH",
        "wrong_wider_model.py": "SHAPE_MISMATCH"},
    "tf2-from-name-based": {
        "wrong_object_based_restore.py": "OBJECT_PATH_MISMATCH",
        "wrong_kernels_only.py": "VALUES_NOT_RESTORED",
        "wrong_swapped_layers.py": "SHAPE_MISMATCH"},
}


def test_every_exercise_has_a_solution_and_two_wrong_variants():
    assert set(EXPECTED) == set(EXERCISES)
    for exercise, wrong in EXPECTED.items():
        files = {p.name for p in (SUBMISSIONS / exercise).glob("*.py")}
        assert files == {"solution.py", *wrong} and len(wrong) >= 2


@pytest.mark.parametrize("exercise", sorted(EXPECTED))
def test_solution_passes_and_wrong_variants_fail(exercise, tmp_path):
    rows = {row.file: row for row in grade_folder(SUBMISSIONS / exercise, exercise,
                                                   tmp_path, workers=2)}
    solution = rows["solution.py"]
    assert (solution.verdict, solution.codes) == ("pass", ())
    assert solution.total == EXERCISES[exercise].total
    spec = EXERCISES[exercise]
    for name, code in EXPECTED[exercise].items():
        if not answered_source((SUBMISSIONS / exercise / name).read_text(), spec.notebook,
                               spec.defines):
            # the notebook's starter code itself: not answered, 0 points (its diagnosis
            # is checked where it is shown, tests/notebooks/test_exercise_stubs.py)
            assert (rows[name].state, rows[name].total) == ("not_answered", 0), name
            continue
        assert rows[name].verdict == "fail", (name, rows[name].codes)
        assert code in rows[name].codes, (name, rows[name].codes)
        assert rows[name].total < EXERCISES[exercise].total
    nbgrader_variant, points = NBGRADER_WRONG[exercise]  # nbgrader's autograde must agree
    assert rows[nbgrader_variant].total == points, nbgrader_variant
    with (tmp_path / "grades.csv").open() as handle:
        table = list(csv.DictReader(handle))
    assert {r["file"] for r in table} == set(rows)
    assert all((tmp_path / "reports" / f"{name}.json").exists() for name in rows)
