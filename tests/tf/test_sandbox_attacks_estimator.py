"""The Estimator track's attack suite: forged evaluate/predict claims, a restore that
claims values without restoring, numpy and TensorFlow replaced in a stage process, and a
later stage looking for the train stage's evidence (tests/helpers/estimator_attacks.py).

All run once, in parallel, in a module fixture; each test asserts for its attack the
verdict and the points, that the attempt really ran, that no process survived and that
nothing outside the scratch folder changed (the same rules as test_sandbox_attacks).
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from ckptlab.checker.isolation import support
from ckptlab.checker.limits import Limits
from ckptlab.checker.runners.tracks import stages_of
from ckptlab.checker.sandbox import check_file, report_from_outcome
from ckptlab.checker.scoring import scored
from ckptlab.checker.spares import close_spares, wait_for_spares
from ckptlab.checker.warm import run_isolated
from ckptlab.exercises import get_exercise
from tests.conftest import skip_or_fail
from tests.helpers.attacks import Attack
from tests.helpers.estimator_attacks import (
    ATTACKS,
    EVALUATE_WRONG,
    PREDICT_WRONG,
    RAISING_ATTACKS,
    REPLAYED_PREDICTIONS,
    RESUME_ATTACKS,
    STOOD_DOWN_ATTACKS,
    TF2_EVIDENCE,
    WRONG,
)
from tests.tf.test_sandbox_attacks import OUTSIDE, PACKAGE, _tree_digest, stray_processes

EXERCISE = get_exercise("estimator-serving")
TF2_EXERCISE = get_exercise("tf2-round-trip")
LIMITS = Limits(timeout=150, memory_mb=1500, disk_mb=64, output_mb=2)


def _check(attack: Attack, spare: bool = False):
    track, exercise = ("tf2", TF2_EXERCISE) if attack is TF2_EVIDENCE else ("estimator",
                                                                            EXERCISE)
    outcome = run_isolated(track, attack.source.encode(), attack.file, "file", LIMITS,
                           stages=stages_of(track), spare=spare)
    return outcome, report_from_outcome(outcome, track, attack.file, LIMITS, exercise.id)


EVERY = [*ATTACKS, REPLAYED_PREDICTIONS, TF2_EVIDENCE]


def attacks_run(attacks: list[Attack], spare: bool = False):
    """Each attack's (outcome, report), or the exception the grader raised; with `spare`,
    one after the other as a notebook's checks (each in the spare made after the one
    before), otherwise three at a time. Then what is left behind."""
    if not support().isolated:
        skip_or_fail(f"checks here are {support().describe()}", "apt-get install bubblewrap")
    package_before = _tree_digest(PACKAGE)

    def run(attack: Attack):
        try:
            return _check(attack, spare)
        except Exception as error:  # reported by the attack's own test
            return error

    if spare:
        results = {}
        for attack in attacks:
            assert wait_for_spares()
            results[attack.name] = run(attack)
        close_spares()  # the kernel's end: the spare made after the last check goes
    else:
        with ThreadPoolExecutor(max_workers=3) as pool:
            results = dict(zip([a.name for a in attacks], pool.map(run, attacks),
                               strict=True))
    time.sleep(1.0)  # anything a survivor would do later has had time to happen
    return {"results": results, "strays": stray_processes(),
            "planted": [str(p) for p in OUTSIDE if p.exists()],
            "package_before": package_before}


@pytest.fixture(scope="module")
def attacked():
    return attacks_run(EVERY)


def _assert_stopped(attacked, attack: Attack, exercise=EXERCISE):
    result = attacked["results"][attack.name]
    assert not isinstance(result, Exception), result  # the grader itself must not fail
    outcome, report = result
    output = outcome.output.decode(errors="replace")
    points = scored(report).case_points  # the points ckptlab gives, by its one rule
    assert report.verdict in attack.verdicts, (report.codes(), str(report)[:1500],
                                               output[-1500:])
    if attack.full_points:
        assert sum(points.values()) == exercise.total, (points, output[-1500:])
    elif attack.solution == WRONG:  # the wrong answer behind it gained nothing
        assert sum(points.values()) < EXERCISE.total
    # else: a correct solution whose own process was tampered with: never a pass (the
    # exercise's cases may not cost points for a finding outside their concern)
    assert "ATTEMPT " in output, output[-1500:]  # the attack really ran
    assert ": REACHED" not in output, output[-1500:]
    assert outcome.isolated and outcome.survivors == []
    assert len(json.dumps(report.to_dict())) < 200_000
    return outcome, report, output


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_estimator_attack_is_stopped(attacked, attack: Attack):
    _assert_stopped(attacked, attack)


@pytest.mark.parametrize("attack", RESUME_ATTACKS, ids=[a.name for a in RESUME_ATTACKS])
def test_a_withheld_resume_comparison_earns_nothing(attacked, attack: Attack):
    """A resume-only mistake (a training hook sets a local variable at step 0 only) whose
    process skips the resumed model's probes or claims a stand-down for them: the check that
    rests on OUTPUTS_DIFFER_AFTER_RESTORE scores 0 (5/5 before the resume was compared)."""
    _, report, _ = _assert_stopped(attacked, attack)
    points = scored(report).case_points
    assert points["deterministic"] == 0, (points, report.codes(), report.notes)
    if attack.verdicts == ("error",):
        assert any("resume: no record" in f.what for f in report.findings), report.codes()
    else:
        assert report.unjudged == ("OUTPUTS_DIFFER_AFTER_RESTORE",), report.unjudged


@pytest.mark.parametrize("attack", RAISING_ATTACKS, ids=[a.name for a in RAISING_ATTACKS])
def test_a_mistake_behind_a_raising_restore_earns_nothing(attacked, attack: Attack):
    """A mistake only the resumed train() (or only evaluate()) shows, in a submission that
    makes that very call raise: it loses "runs" and must not win "deterministic" for it."""
    _, report, _ = _assert_stopped(attacked, attack)
    points = scored(report).case_points
    assert "LEARNER_EXCEPTION" in report.codes("error"), report.codes()
    assert report.unjudged == ("OUTPUTS_DIFFER_AFTER_RESTORE",), (report.unjudged, report.codes())
    assert points == {"runs": 0, "one_restore": 2, "deterministic": 0}, points


@pytest.mark.parametrize("attack", STOOD_DOWN_ATTACKS, ids=[a.name for a in STOOD_DOWN_ATTACKS])
def test_a_mistake_behind_a_stood_down_comparison_earns_nothing(attacked, attack: Attack):
    """A mistake only evaluate() (or only predict()) shows, in a submission whose process
    makes the checker's probe run of that restore fail: the other restores' comparisons do
    not earn "deterministic" (5/5 with the mistake unseen, before)."""
    _, report, _ = _assert_stopped(attacked, attack)
    assert report.unjudged == ("OUTPUTS_DIFFER_AFTER_RESTORE",), (report.unjudged, report.codes())
    assert scored(report).case_points["deterministic"] == 0, report.notes
    assert any("not compared because running the model on the probes raised" in note
               for note in report.notes), report.notes


@pytest.mark.parametrize("source, restore", [(EVALUATE_WRONG, "evaluate()"),
                                             (PREDICT_WRONG, "predict()")],
                         ids=["evaluate_wrong", "predict_wrong"])
def test_the_one_restore_mistakes_are_found_when_their_restore_is_compared(tmp_path, source,
                                                                           restore):
    """The wrong solutions behind the attacks above, checked as they are: only the model
    that one restore brought back differs from the model as saved."""
    path = tmp_path / "one_restore_wrong.py"
    path.write_text(source)
    report = check_file(path, LIMITS, EXERCISE.id)
    differ = [f for f in report.findings if f.code == "OUTPUTS_DIFFER_AFTER_RESTORE"]
    assert differ and restore in str(dict(differ[0].evidence)), str(report)
    assert report.case_points["deterministic"] == 0 and report.case_points["runs"] == 1


def test_the_stages_ran_in_their_own_processes(attacked):
    outcome, _ = attacked["results"]["restore_stage_reads_evidence"]
    # trace beside train; then restore (evaluate) and, beside it, predict (predict, then
    # the resume)
    assert outcome.exits == {"trace": 0, "train": 0, "restore": 0, "predict": 0}
    verified = outcome.judged["judged"]["verified"]
    for boundary in ("after train", "evaluate after its restore", "predict after its restore",
                     "resume after its restore", "after the resume"):
        assert any(line.startswith(boundary + ":") for line in verified), verified


def test_a_later_stage_sees_only_the_model_dir(attacked):
    output = attacked["results"]["restore_stage_reads_evidence"][0].output.decode()
    listings = [line for line in output.splitlines()
                if line.startswith("ATTEMPT work folder in a later stage:")]
    assert len(listings) == 2, output[-1500:]  # restore (evaluate), predict (... resume)
    for line in listings:
        assert "evidence" not in line and "pretrained" not in line and "note.txt" not in line
        assert "'model_dir'" in line and "'trained.ok'" in line


def test_the_tf2_restore_stage_is_blind_to_the_saved_evidence(attacked):
    outcome, _, = _assert_stopped(attacked, TF2_EVIDENCE, TF2_EXERCISE)[:2]
    output = outcome.output.decode(errors="replace")
    assert outcome.exits == {"save": 0, "restore": 0}
    assert output.count("ATTEMPT ") == 3 and output.count(": blocked") == 2, output[-1500:]


def test_forged_claims_without_evidence_are_unverified(attacked):
    _, report = attacked["results"]["forge_perfect_estimator_run"]
    assert report.verdict == "error"
    assert "CHECK_INTERNAL_ERROR" in report.codes(), report.codes()


def test_values_read_as_zeros_do_not_pass(attacked):
    outcome, report = attacked["results"]["patch_tf_session_values"]
    unverified = outcome.judged["judged"]["unverified"]
    for boundary in ("evaluate after its restore", "predict after its restore"):
        assert any(line.startswith(boundary) and "other values than" in line
                   for line in unverified), unverified
    assert report.verdict != "pass", report.codes()


def test_replayed_predictions_do_not_pass(attacked):
    """predict() replaying its first outputs hides the dropout from the learner's two
    restored calls, but not from the checker's own call, which predicts its probes twice
    in one session: the cause (dropout on in PREDICT) is still found
    (docs/instructors.md, threat model)."""
    _, report, _ = _assert_stopped(attacked, REPLAYED_PREDICTIONS)
    assert report.codes()[0] == "NONDETERMINISTIC_PREDICT", report.codes()
    # said as seen: the learner's (replayed) calls agreed, the checker's own call did not
    assert report.findings[0].what.startswith("Your two predict() calls gave the same "
                                              "outputs, but the checker's 16 probe"), \
        report.findings[0].what


def test_no_estimator_attack_left_anything_behind(attacked):
    assert attacked["strays"] == []
    assert attacked["planted"] == []
    assert _tree_digest(PACKAGE) == attacked["package_before"]
