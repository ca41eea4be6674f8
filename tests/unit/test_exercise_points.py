"""Partial credit: each case of an exercise is judged on its own, also when a stage broke."""

from __future__ import annotations

from ckptlab.checker.codes import make_finding
from ckptlab.exercises import get_exercise, points_for
from ckptlab.exercises.spec import EVERY_STAGE, broken_stages


def finding(code, stage=None):
    return make_finding(code, "what", "fix", {"stage": stage} if stage else {})


def points(exercise_id, *findings, verdict="fail"):
    exercise = get_exercise(exercise_id)
    codes = [f.code for f in findings if f.severity == "error"]
    return points_for(exercise, verdict, codes, broken_stages(findings))


def test_a_missing_eval_loss_still_earns_the_signature_point():
    assert points("estimator-spec-per-mode", finding("SPEC_MISSING_FIELD", "evaluate")) == {
        "runs": 0, "spec_fields": 0, "signature": 1}


def test_an_exception_in_predict_keeps_the_points_judged_before_it():
    assert points("estimator-first-model-fn", finding("LEARNER_EXCEPTION", "predict")) == {
        "runs": 0, "same_variables": 2, "step_advances": 1}


def test_an_exception_in_train_leaves_nothing_judged():
    assert points("estimator-first-model-fn",
                  finding("LEARNER_EXCEPTION", "train and resume")) == {
        "runs": 0, "same_variables": 0, "step_advances": 0}


def test_a_case_fails_on_its_own_code_only():
    assert points("estimator-first-model-fn", finding("MODE_ONLY_VARIABLE")) == {
        "runs": 1, "same_variables": 0, "step_advances": 1}


def test_a_timeout_or_crash_breaks_every_stage():
    assert broken_stages([finding("TIMEOUT")]) == {EVERY_STAGE}
    assert set(points("estimator-first-model-fn", finding("TIMEOUT")).values()) == {0}


def test_could_not_judge_earns_nothing():
    assert set(points("tf2-round-trip", verdict="error").values()) == {0}


def test_without_stage_information_any_break_counts_everywhere():
    exercise = get_exercise("estimator-spec-per-mode")
    assert set(points_for(exercise, "fail", ["SPEC_MISSING_FIELD"]).values()) == {0}


def test_the_report_names_the_stage_that_failed_and_the_partial_points():
    from ckptlab.checker.findings import Report
    from ckptlab.render.report import report_text

    report = Report("estimator", "model_fn", (finding("SPEC_MISSING_FIELD", "evaluate"),),
                    stages=("trace modes", "train", "evaluate"),
                    exercise="estimator-spec-per-mode")
    assert report_text(report).splitlines()[:2] == [
        "FAIL  model_fn (estimator track, exercise estimator-spec-per-mode: 1 error, "
        "0 warnings) · failed at stage evaluate",
        "Points: 1/4 (runs 0/1, spec_fields 0/2, signature 1/1)"]
    timeout = Report("estimator", "model_fn", (finding("TIMEOUT"),), stages=("train",))
    assert report_text(timeout).splitlines()[0].endswith("· stopped after train")
    # stages that failed never finished: named in the order their errors came
    both = Report("estimator", "model_fn", (finding("LEARNER_EXCEPTION", "train and resume"),),
                  stages=("trace modes", "evaluate", "predict"))
    assert report_text(both).splitlines()[0].endswith("· failed at stages train, resume")


def test_a_restore_that_did_not_run_through_costs_the_points_resting_on_it():
    """What evaluate() or the resumed train() restores is part of "predictions depend only
    on the input and the checkpoint": when one of them raised, it was not seen."""
    for stage in ("evaluate", "resume"):
        assert points("estimator-serving", finding("LEARNER_EXCEPTION", stage)) == {
            "runs": 0, "one_restore": 2, "deterministic": 0}, stage
    # predict_many is called after the first predict(): when that raised, it never ran
    assert points("estimator-serving", finding("LEARNER_EXCEPTION", "predict")) == {
        "runs": 0, "one_restore": 0, "deterministic": 0}


def test_an_exercise_links_to_the_tutorial_it_practises_and_fixes_its_starter():
    general = finding("MODE_ONLY_VARIABLE")
    assert general.tutorial.startswith("tutorials/06_")
    mine = get_exercise("estimator-first-model-fn").for_exercise(general)
    assert mine.tutorial == "tutorials/00_start_here.ipynb#check" and mine.fix == general.fix
    migrated = get_exercise("tf2-from-name-based").for_exercise(finding("OBJECT_PATH_MISMATCH"))
    assert migrated.tutorial == "tutorials/09_migrating_to_tf2.ipynb#names-and-paths"
    assert "tf.train.load_checkpoint" in migrated.fix and "NAME_MAP" in migrated.fix


def test_serving_untrained_or_overwritten_weights_costs_the_deterministic_points():
    """Predictions of no checkpoint, or of values assigned after the restore, do not depend
    on the input and the checkpoint only: a FAIL for them never keeps 5/5."""
    for code in ("NO_CHECKPOINT", "RESTORE_OVERWRITTEN", "OUTPUTS_DIFFER_AFTER_RESTORE"):
        assert points("estimator-serving", finding(code)) == {
            "runs": 1, "one_restore": 2, "deterministic": 0}, code
