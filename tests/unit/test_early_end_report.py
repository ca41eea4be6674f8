"""A time-out while a process of the same group had already ended without its result:
how the report tells the two apart, from Outcomes as the grader builds them (the
provoked run: tests/tf/test_stages_alongside, evaluate() calling os._exit(3) beside a
predict() that loops)."""

import json

from ckptlab.checker.limits import Limits
from ckptlab.checker.runners.stages import Run
from ckptlab.checker.sandbox import report_from_outcome
from ckptlab.checker.warm import Outcome
from ckptlab.render.report import failed_at

STAGES = ["trace", "train", "restore", "predict"]
GROUP_ONE = {"track": "estimator", "stages": ["trace modes", "train"]}


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


def _load_failure(stage: str) -> dict:
    """The claim a stage process makes when the submission cannot load, made as the stage
    process makes it (runners.stages.Run.call("load", ...) on a NameError)."""
    claims = []
    loader = Run("estimator", {"a.py"}, lambda name, obs: claims.append(
        {"stage": name, "obs": json.loads(json.dumps(obs, default=str)), "_stage": stage}))
    ok, _ = loader.call("load", lambda: undefined_name)  # noqa: F821 (the learner's bug)
    assert not ok and [claim["stage"] for claim in claims] == ["load"]
    return claims[0]


def test_a_process_that_failed_to_load_is_no_early_crash():
    """A stage whose submission failed to load exits 0 without a result: the load error
    tells of it (a learner exception), not a crash; the time-out names what ran on."""
    report = _timed_out({"restore": 0}, (_load_failure("restore"),))
    assert sorted(report.codes()) == ["LEARNER_EXCEPTION", "TIMEOUT"], report.codes()
    _, evidence = _by_code(report, "TIMEOUT")
    assert evidence["did not end"] == ["predict()"], evidence


def _trace_ran_on(ended: dict[str, int], *train_claims: dict):
    """Group one timed out after train's process had ended and the trace had traced the
    modes: the time-out names the trace's probe run, which ran on."""
    claims = [*_claims(["trace", "train"], {}), *train_claims,
              {"stage": "trace modes", "obs": {"track": "estimator", "stages": ["trace modes"]},
               "_stage": "trace"}]
    outcome = Outcome(claims=claims, stopped="timeout", isolated=True, exits={},
                      ended=ended, stages=STAGES)
    report = report_from_outcome(outcome, "estimator", "a.py", Limits(timeout=9))
    _, evidence = _by_code(report, "TIMEOUT")
    assert evidence["did not end"] == [
        "the checker's probe run after model_fn's trace in each mode (TRAIN, EVAL, "
        "PREDICT)"], evidence
    return report


def test_a_stage_waiting_for_one_that_ended_early_is_named():
    """train() ended early (exit 3), so the trace waits no more: when the time-out comes
    with the trace's own steps done, what ran on is the checker's probe run after it."""
    report = _trace_ran_on({"train": 3})
    _, evidence = _by_code(report, "CRASHED")
    assert evidence["ended before the stop"] == ["train()"]


def test_a_stage_waiting_for_one_that_could_not_load_is_named():
    """train() could not load the submission and exited, which ends the trace's wait too:
    a time-out with the trace's steps done names its probe run, and no crash."""
    report = _trace_ran_on({"train": 0}, _load_failure("train"))
    assert "CRASHED" not in report.codes(), report.codes()


def test_an_early_end_after_its_steps_names_the_probe_run():
    """evaluate() got through, then its process ended without a result (exit 3): what it
    was running is the checker's own run after evaluate(), not evaluate() itself."""
    evaluated = {"stage": "evaluate", "obs": {"track": "estimator",
                                              "stages": ["trace modes", "train", "evaluate"]},
                 "_stage": "restore"}
    _, evidence = _by_code(_timed_out({"restore": 3}, (evaluated,)), "CRASHED")
    assert evidence["ended before the stop"] == ["the checker's probe run after evaluate()"]
    assert evidence["cause"] == "exit code 3"


def test_an_early_end_after_training_names_the_checkers_own_work():
    """train() got through, then its process ended (exit 3) before a time-out: no probe
    runs there, the checker keeps the values training ended with."""
    trained = {"stage": "train", "obs": {"track": "estimator", "stages": ["train"]},
               "_stage": "train"}
    claims = [*_claims(["trace", "train"], {}), trained]
    outcome = Outcome(claims=claims, stopped="timeout", isolated=True, exits={},
                      ended={"train": 3}, stages=STAGES)
    report = report_from_outcome(outcome, "estimator", "a.py", Limits(timeout=9))
    _, evidence = _by_code(report, "CRASHED")
    assert evidence["ended before the stop"] == [
        "the checker's own work after train() (keeping the values training ended with)"]


def test_after_a_memory_stop_the_victim_is_named_not_the_stage_waiting_for_it():
    """The OOM killer ended train() (the limit's victim) while the trace waited for it:
    the stop names train(), and the trace's wait is no step of its own."""
    claims = [*_claims(["trace", "train"], {}),
              {"stage": "trace modes", "obs": {"track": "estimator", "stages": ["trace modes"]},
               "_stage": "trace"}]
    outcome = Outcome(claims=claims, stopped="memory", isolated=True, exits={},
                      ended={"train": -9}, stages=STAGES)
    report = report_from_outcome(outcome, "estimator", "a.py", Limits())
    _, evidence = _by_code(report, "CRASHED")
    assert evidence["did not end"] == ["train()"], evidence


def test_after_a_memory_stop_a_stage_whose_awaited_process_exited_is_named():
    """train() called os._exit(3) (no SIGKILL: not the limit's victim), which ended the
    trace's wait; the trace's probe run was then stopped at the memory limit: it ran on,
    and is named."""
    claims = [*_claims(["trace", "train"], {}),
              {"stage": "trace modes", "obs": {"track": "estimator", "stages": ["trace modes"]},
               "_stage": "trace"}]
    outcome = Outcome(claims=claims, stopped="memory", isolated=True, exits={},
                      ended={"train": 3, "trace": -9}, stages=STAGES)
    report = report_from_outcome(outcome, "estimator", "a.py", Limits())
    _, evidence = _by_code(report, "CRASHED")
    assert evidence["did not end"][0] == (
        "the checker's probe run after model_fn's trace in each mode (TRAIN, EVAL, "
        "PREDICT)"), evidence


def test_after_a_process_limit_stop_the_stage_that_met_it_is_named_not_the_one_waiting():
    """train() ended by itself (SIGABRT: TensorFlow could not start a thread) when the
    check met its process limit; the trace waiting for it is not named in its place."""
    claims = [*_claims(["trace", "train"], {}),
              {"stage": "trace modes", "obs": {"track": "estimator", "stages": ["trace modes"]},
               "_stage": "trace"}]
    for code in (-6, 1):
        outcome = Outcome(claims=claims, stopped="processes", isolated=True, exits={},
                          ended={"train": code}, stages=STAGES)
        report = report_from_outcome(outcome, "estimator", "a.py", Limits())
        _, evidence = _by_code(report, "CRASHED")
        assert evidence["did not end"] == ["train()"], evidence


def test_a_crash_or_another_stop_names_the_stage_whose_wait_had_ended():
    """No limit's victim here: train() exited by itself (exit 3, or 0 without its result)
    and ended the trace's wait; the trace then crashed in its probe run (SIGSEGV), or the
    check was stopped at its output limit: the trace ran on, and is named first."""
    claims = [*_claims(["trace", "train"], {}),
              {"stage": "trace modes", "obs": {"track": "estimator", "stages": ["trace modes"]},
               "_stage": "trace"}]
    probe_run = ("the checker's probe run after model_fn's trace in each mode (TRAIN, EVAL, "
                 "PREDICT)")
    for stopped, ended in (("", {"train": 3, "trace": -11}), ("output", {"train": 0}),
                           ("disk", {"train": 3})):
        exits = ended if not stopped else {}
        outcome = Outcome(claims=claims, stopped=stopped, isolated=True, exits=exits,
                          ended=ended, stages=STAGES)
        report = report_from_outcome(outcome, "estimator", "a.py", Limits())
        _, evidence = _by_code(report, "CRASHED")
        assert evidence["did not end"] == [probe_run, "train()"], (stopped, evidence)
