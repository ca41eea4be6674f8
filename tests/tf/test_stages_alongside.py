"""The Estimator track's restore and predict stages run at the same time, each in its own
process (stages marked "alongside"), and end as a group: their claims merge in the stage
list's order, nothing one of them left runs on, and neither holds the other's results
pipe. The submission's top-level code runs in every stage process and reports."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

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
        deadline = time.monotonic() + 60  # until the resume beside it has saved (then 1 s)
        while not glob.glob("resumed_model_dir/model.ckpt-7.index") \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        print("SAVED", bool(glob.glob("resumed_model_dir/model.ckpt-7.index")), flush=True)
        time.sleep(1.0)
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
    # (evaluate() waited for the resume's last checkpoint: restore ended last)
    assert re.findall(r"^SAVED (\w+)$", output, re.M) == ["True"], output[-2000:]
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
    if "HOW" == "exit":
        os._exit(3)
    while True:
        pass
if os.path.exists("trained.ok"):  # a later stage: restore (evaluate) or predict (resume)
    setattr(_tf.compat.v1.estimator.Estimator, "METHOD", _stuck)
'''
SHORT = Limits(timeout=25, memory_mb=2000)
# how the call gets stuck, the call (train() runs in that process only as the resume),
# what the report must name
STOPS = {"evaluate_loops": ("loop", "evaluate", "evaluate()"),
         "evaluate_exits": ("exit", "evaluate", "evaluate()"),
         "resume_loops": ("loop", "train", "the resumed train()")}


@pytest.fixture(scope="module")
def stopped():
    if not support().isolated:
        skip_or_fail(f"checks here are {support().describe()}", "apt-get install bubblewrap")

    def check(how_and_method):
        how, method = how_and_method
        source = STUCK.replace("HOW", how).replace("METHOD", method) + SOLUTION
        outcome = run_isolated("estimator", source.encode(), "submission.py", "file", SHORT,
                               stages=stages_of("estimator"))
        return outcome, report_from_outcome(outcome, "estimator", "submission.py", SHORT)

    with ThreadPoolExecutor(max_workers=3) as pool:
        done = pool.map(check, [(how, method) for how, method, _ in STOPS.values()])
        return dict(zip(STOPS, done, strict=True))


@pytest.mark.parametrize("case", list(STOPS))
def test_a_stop_while_both_ran_names_the_step_that_did_not_end(stopped, case):
    """Their stages finished in no one order: the report names the step that did not end,
    not the last stage of the merged list (the resume, when evaluate() hangs)."""
    how, _, named = STOPS[case]
    outcome, report = stopped[case]
    code = "CRASHED" if how == "exit" else "TIMEOUT"
    finding = next(f for f in report.findings if f.code == code)
    finished = outcome.stage_obs()["stages"]
    assert ("resume" in finished) == (named == "evaluate()"), finished
    assert (f"The process running {named} ended" if how == "exit" else
            f"while {named} was still running") in finding.what, finding.what
    assert "Last stage that finished" not in finding.what, finding.what
    assert dict(finding.evidence)["did not end"] == [named], finding.evidence
    assert f"stopped in {named}" in str(report).splitlines()[0], str(report)[:300]
    if how == "loop":
        assert f"in your code that {named} runs" in finding.fix, finding.fix
