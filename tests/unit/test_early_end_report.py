"""A time-out while a process of the same group had already ended without its result:
how the report tells the two apart, from Outcomes as the grader builds them (the
provoked run: tests/tf/test_stages_alongside, evaluate() calling os._exit(3) beside a
predict() that loops)."""

from ckptlab.checker.isolation import Limits
from ckptlab.checker.sandbox import report_from_outcome
from ckptlab.checker.warm import Outcome
from ckptlab.render.report import failed_at

STAGES = ["trace", "train", "restore", "predict"]
GROUP_ONE = {"track": "estimator", "stages": ["trace modes", "train"]}
LOAD_ERROR = {"stage": "load", "type": "NameError", "message": "name 'x' is not defined",
              "location": "a.py, line 3", "traceback": []}


def _claims(started: list[str], finished: dict[str, dict]) -> list[dict]:
    claims = [{"stage": "started", "obs": {"track": "estimator"}, "_stage": name}
              for name in started]
    return claims + [{"stage": "finished", "obs": obs, "_stage": name}
                     for name, obs in finished.items()]


def _timed_out(ended: dict[str, int], extra_claims: tuple[dict, ...] = ()):
    """Group one finished; the check was stopped by its time limit in group two."""
    claims = _claims(STAGES, {"trace": GROUP_ONE, "train": GROUP_ONE}) + list(extra_claims)
    outcome = Outcome(claims=claims, stopped="timeout", isolated=True,
                      exits={"trace": 0, "train": 0},
                      ended={"trace": 0, "train": 0, **ended}, stages=STAGES)
    return report_from_outcome(outcome, "estimator", "a.py", Limits(timeout=9))


def _by_code(report, code):
    found = [f for f in report.findings if f.code == code]
    assert len(found) == 1, report.codes()
    return found[0], dict(found[0].evidence)


def test_an_exit_0_before_the_stop_is_a_crash_and_the_headline_names_what_ran_on():
    """evaluate() called os._exit(0) (exit status 0, but no result) while predict() looped:
    a crash of its own, labelled as ended before the stop; the headline and the time-out
    name predict(), which was still running."""
    report = _timed_out({"restore": 0})
    crash, evidence = _by_code(report, "CRASHED")
    assert crash.what.startswith("The process running evaluate() ended without a result "
                                 "(exit code 0)"), crash.what
    assert evidence["ended before the stop"] == ["evaluate()"]
    assert "did not end" not in evidence
    _, evidence = _by_code(report, "TIMEOUT")
    assert evidence["did not end"] == ["predict()"], evidence
    assert failed_at(report) == "stopped in predict()"


def test_two_early_ends_are_one_crash_naming_both_with_their_causes():
    report = _timed_out({"restore": 3, "predict": -11})
    crash, evidence = _by_code(report, "CRASHED")
    assert evidence["ended before the stop"] == ["evaluate()", "predict()"]
    assert evidence["cause"] == ("evaluate(): exit code 3; predict(): killed by signal "
                                 "SIGSEGV"), evidence
    assert crash.what.startswith("The processes running evaluate() and predict() ended "
                                 "without a result"), crash.what


def test_two_early_ends_with_one_cause_say_it_once():
    _, evidence = _by_code(_timed_out({"restore": 3, "predict": 3}), "CRASHED")
    assert evidence["cause"] == "exit code 3"


def test_a_process_that_failed_to_load_is_no_early_crash():
    """A stage whose submission failed to load exits 0 without a result: the load error
    tells of it, not a crash."""
    failed = {"stage": "error", "obs": {"track": "estimator", "errors": [LOAD_ERROR]},
              "_stage": "restore"}
    report = _timed_out({"restore": 0}, (failed,))
    assert "CRASHED" not in report.codes(), report.codes()
    _, evidence = _by_code(report, "TIMEOUT")
    assert evidence["did not end"] == ["predict()"], evidence


def test_a_stage_waiting_for_one_that_ended_early_is_named():
    """train() ended early (exit 3), so the trace waits no more: when the time-out comes
    with the trace's own steps done, what ran on is the checker's probe run after it."""
    claims = _claims(["trace", "train"], {})
    claims.append({"stage": "trace modes", "obs": {"track": "estimator",
                                                   "stages": ["trace modes"]},
                   "_stage": "trace"})
    outcome = Outcome(claims=claims, stopped="timeout", isolated=True, exits={},
                      ended={"train": 3}, stages=STAGES)
    report = report_from_outcome(outcome, "estimator", "a.py", Limits(timeout=9))
    _, evidence = _by_code(report, "TIMEOUT")
    assert evidence["did not end"] == [
        "the checker's probe run after model_fn's trace in each mode (TRAIN, EVAL, "
        "PREDICT)"], evidence
    _, evidence = _by_code(report, "CRASHED")
    assert evidence["ended before the stop"] == ["train()"]
