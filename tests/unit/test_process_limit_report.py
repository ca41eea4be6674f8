"""A check stopped at its process limit: the limit is the cause, and what the learner's
code raised because a thread or a fork was refused is its consequence, not a finding of
its own (the provoked run: tests/tf/test_check_golden CRASHED@processes and the attack
suite's process floods)."""

from ckptlab.checker.limits import Limits
from ckptlab.checker.sandbox import report_from_outcome
from ckptlab.checker.warm import Outcome


def _outcome(stopped: str, message: str) -> Outcome:
    error = {"stage": "restore", "type": "RuntimeError", "message": message,
             "location": "a.py, line 3", "traceback": []}
    obs = {"track": "tf2", "stages": ["build", "train", "save"], "errors": [error]}
    return Outcome(claims=[{"stage": "all", "obs": obs, "_stage": "all"}], stopped=stopped,
                   isolated=True, stages=["all"])


def test_a_refused_thread_follows_from_the_limit():
    limits = Limits(processes=300)
    report = report_from_outcome(_outcome("processes", "can't start new thread"), "tf2",
                                 "a.py", limits)
    assert report.codes() == ["CRASHED"]
    evidence = dict(report.findings[0].evidence)
    assert evidence["cause"] == ("limit of 300 processes and threads exceeded (all your "
                                 "code together)")
    assert evidence["follows from this"] == ["restore: RuntimeError: can't start new thread"]


def test_other_exceptions_stay_findings():
    for stopped, message in (("processes", "bad shape"),
                             # a refusal under another stop is no consequence of this limit
                             ("memory", "can't start new thread")):
        report = report_from_outcome(_outcome(stopped, message), "tf2", "a.py", Limits())
        crash = next(f for f in report.findings if f.code == "CRASHED")
        assert len(report.findings) == 2, report.codes()
        assert "follows from this" not in dict(crash.evidence)


def test_a_limit_stop_names_every_process_that_did_not_finish():
    """Stopped at the memory limit after the predict process had ended (the OOM killer's
    victim says "ended" before the grader reads oom_kill): both processes of the group
    are named as not ended, and no second crash blames one of them alone."""
    claims = [{"stage": "started", "obs": {"track": "estimator"}, "_stage": name}
              for name in ("trace", "train", "restore", "predict")]
    claims += [{"stage": "finished", "obs": {"track": "estimator",
                                             "stages": ["trace modes", "train"]},
                "_stage": name} for name in ("trace", "train")]
    outcome = Outcome(claims=claims, stopped="memory", isolated=True,
                      exits={"trace": 0, "train": 0}, ended={"trace": 0, "train": 0,
                                                             "predict": -9},
                      stages=["trace", "train", "restore", "predict"])
    report = report_from_outcome(outcome, "estimator", "a.py", Limits())
    crashes = [f for f in report.findings if f.code == "CRASHED"]
    assert len(crashes) == 1
    assert dict(crashes[0].evidence)["did not end"] == ["evaluate()", "predict()"], crashes


def test_an_isolated_check_without_a_process_limit_says_so():
    """As root without a pids cgroup the sandbox has no process limit: its report carries
    the isolation line that says so (one with the limit carries none)."""
    line = "isolated with bubblewrap (uid 65534, no network, memory cgroup v1, processes " \
           "not limited: no pids cgroup)"
    for limited, notes in ((False, [line]), (True, [])):
        outcome = _outcome("", "bad shape")
        outcome.isolation, outcome.processes_limited = line, limited
        report = report_from_outcome(outcome, "tf2", "a.py", Limits())
        assert [note for note in report.notes if "isolated" in note] == notes, report.notes
