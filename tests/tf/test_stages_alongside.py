"""The Estimator track's restore and predict stages run at the same time, each in its own
process (stages marked "alongside"), and end as a group: their claims merge in the stage
list's order, nothing one of them left runs on, and neither holds the other's results
pipe. The submission's top-level code runs in every stage process and reports."""

from __future__ import annotations

import re

import pytest

from ckptlab.checker.isolation import Limits, support
from ckptlab.checker.runners.tracks import stages_of
from ckptlab.checker.sandbox import report_from_outcome
from ckptlab.checker.warm import run_isolated
from tests.conftest import skip_or_fail
from tests.helpers.estimator_attacks import SOLUTION

pytestmark = pytest.mark.timeout(300)

PROBE = '''
import glob, os, time
if os.path.exists("trained.ok"):  # a stage after training: restore or predict
    open(f"{os.getpid()}.here", "w").close()
    deadline = time.monotonic() + 20  # one after the other, the first would wait in vain
    while len(glob.glob("*.here")) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    print("MET", len(glob.glob("*.here")) >= 2, flush=True)
    links = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            links.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:  # the folder's own descriptor, closed by now
            pass
    pipes = {link for link in links if link.startswith("pipe:")}
    print("PIPES", len(pipes), flush=True)  # its results pipe, and stdout/stderr's
    if os.fork() == 0:  # left behind: it must not outlive the group
        time.sleep(600)
        os._exit(0)
    import tensorflow as _tf
    _evaluate = _tf.compat.v1.estimator.Estimator.evaluate
    def _slow_evaluate(self, *args, **kwargs):  # the restore process ends after predict's
        result = _evaluate(self, *args, **kwargs)
        time.sleep(5)
        return result
    _tf.compat.v1.estimator.Estimator.evaluate = _slow_evaluate
'''
LIMITS = Limits(timeout=240, memory_mb=2000)


@pytest.fixture(scope="module")
def outcome():
    if not support().isolated:
        skip_or_fail(f"checks here are {support().describe()}", "apt-get install bubblewrap")
    return run_isolated("estimator", (PROBE + SOLUTION).encode(), "submission.py", "file",
                        LIMITS, stages=stages_of("estimator"))


def test_restore_and_predict_run_at_the_same_time(outcome):
    output = outcome.output.decode(errors="replace")
    assert outcome.exits == {"train": 0, "restore": 0, "predict": 0}, output[-2000:]
    # the group's exits come in the stage list's order, not in the order they ended
    assert list(outcome.exits) == ["train", "restore", "predict"], outcome.exits
    assert re.findall(r"^MET (\w+)$", output, re.M) == ["True", "True"], output[-2000:]


def test_neither_holds_the_other_s_results_pipe(outcome):
    output = outcome.output.decode(errors="replace")
    assert re.findall(r"^PIPES (\d+)$", output, re.M) == ["2", "2"], output[-2000:]


def test_their_claims_merge_in_the_order_of_the_stage_list(outcome):
    steps = outcome.stage_obs()["stages"]
    assert steps.index("evaluate") < steps.index("predict") < steps.index("resume"), steps


def test_what_they_left_ends_with_them_and_the_check_passes(outcome):
    assert outcome.survivors == []
    report = report_from_outcome(outcome, "estimator", "submission.py", LIMITS)
    assert report.verdict == "pass", str(report)[:2000]


STUCK = '''
import os
import tensorflow as _tf
def _stuck(self, *args, **kwargs):
    if "HOW" == "loop":
        while True:
            pass
    os._exit(3)
if os.path.exists("trained.ok"):  # evaluate() never ends; predict() beside it does
    _tf.compat.v1.estimator.Estimator.evaluate = _stuck
'''
SHORT = Limits(timeout=25, memory_mb=2000)


@pytest.mark.parametrize("how", ["loop", "exit"])
def test_a_stop_while_both_ran_names_the_process_that_did_not_end(how):
    """Their stages finished in no one order: the report names what did not end, not the
    last stage of the merged list (that would be the resume, which ended)."""
    if not support().isolated:
        skip_or_fail(f"checks here are {support().describe()}", "apt-get install bubblewrap")
    source = STUCK.replace("HOW", how) + SOLUTION
    stopped = run_isolated("estimator", source.encode(), "submission.py", "file", SHORT,
                           stages=stages_of("estimator"))
    report = report_from_outcome(stopped, "estimator", "submission.py", SHORT)
    code = "TIMEOUT" if how == "loop" else "CRASHED"
    finding = next(f for f in report.findings if f.code == code)
    assert "resume" in stopped.stage_obs()["stages"], stopped.stage_obs()["stages"]
    assert ("while evaluate() was still running" if how == "loop" else
            "The process running evaluate() ended") in finding.what, finding.what
    assert "Last stage that finished" not in finding.what, finding.what
    assert dict(finding.evidence)["did not end"] == ["evaluate()"], finding.evidence
    assert "stopped in evaluate()" in str(report).splitlines()[0], str(report)[:300]
    if how == "loop":
        assert "the code evaluate() calls" in finding.fix, finding.fix
