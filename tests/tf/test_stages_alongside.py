"""The Estimator track's stages run two at a time on two CPUs, each in its own process
(stages marked "alongside"): the trace of the modes beside train, then restore beside
predict. A group ends as one: its claims merge in the stage list's order, nothing one of
them left runs on, and neither holds the other's results pipe. The submission's top-level
code runs in every stage process and reports."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from ckptlab.checker.cpus import usable_cpus
from ckptlab.checker.isolation import support
from ckptlab.checker.limits import Limits
from ckptlab.checker.runners.tracks import stages_of
from ckptlab.checker.sandbox import report_from_outcome
from ckptlab.checker.warm import run_isolated
from tests.conftest import skip_or_fail
from tests.helpers.estimator_attacks import SOLUTION, STAGE_NAME

pytestmark = pytest.mark.timeout(300)

PROBE = '''
import glob, os, time
GROUP = {"trace": "first", "train": "first", "restore": "here", "predict": "here"}
if STAGE_NOW in GROUP:
    open(f"{os.getpid()}.{GROUP[STAGE_NOW]}", "w").close()
    deadline = time.monotonic() + 20  # one after the other, the first would wait in vain
    while len(glob.glob(f"*.{GROUP[STAGE_NOW]}")) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    print("MET", STAGE_NOW, len(glob.glob(f"*.{GROUP[STAGE_NOW]}")) >= 2, flush=True)
if STAGE_NOW in ("restore", "predict"):
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
    def _alive(pid):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                return stat.read().rsplit(") ", 1)[1][0] != "Z"
        except OSError:
            return False
    def _slow_evaluate(self, *args, **kwargs):  # the restore process ends after predict's
        result = _evaluate(self, *args, **kwargs)
        other = [int(name.split(".")[0]) for name in glob.glob("*.here")
                 if int(name.split(".")[0]) != os.getpid()]
        deadline = time.monotonic() + 120  # until the predict process beside it has ended
        while any(_alive(pid) for pid in other) and time.monotonic() < deadline:
            time.sleep(0.05)
        print("OTHER ENDED", len(other) == 1 and not _alive(other[0]), flush=True)
        return result
    _tf.compat.v1.estimator.Estimator.evaluate = _slow_evaluate
'''
LIMITS = Limits(timeout=240, memory_mb=2000)


def _two_cpus_and_a_sandbox() -> None:
    if not support().isolated:
        skip_or_fail(f"checks here are {support().describe()}", "apt-get install bubblewrap")
    if usable_cpus() < 2:  # (then one at a time: tests/tf/test_stages_one_cpu.py)
        skip_or_fail(f"{usable_cpus()} CPU here: stages run one at a time", "run on 2 CPUs")


@pytest.fixture(scope="module")
def outcome():
    _two_cpus_and_a_sandbox()
    return run_isolated("estimator", (STAGE_NAME + PROBE + SOLUTION).encode(), "submission.py",
                        "file", LIMITS, stages=stages_of("estimator"))


def test_trace_beside_train_then_restore_beside_predict(outcome):
    output = outcome.output.decode(errors="replace")
    assert outcome.exits == {"trace": 0, "train": 0, "restore": 0, "predict": 0}, \
        output[-2000:]
    # the group's exits come in the stage list's order, not in the order they ended
    # (evaluate() waited until the predict process had ended: restore ended last)
    assert re.findall(r"^OTHER ENDED (\w+)$", output, re.M) == ["True"], output[-2000:]
    assert list(outcome.exits) == ["trace", "train", "restore", "predict"], outcome.exits
    met = sorted(re.findall(r"^MET (\w+) (\w+)$", output, re.M))
    assert met == [(name, "True") for name in ("predict", "restore", "trace", "train")], \
        output[-2000:]


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
import os, time
import tensorflow as _tf
def _stuck(how):
    def call(self, *args, **kwargs):
        if how == "exit":
            os._exit(3)
        if how == "raise":
            raise RuntimeError("this call fails")
        while True:  # a hang that leaves the cores to the other process
            time.sleep(0.1)
    return call
for stage, method, how in PATCHES:  # the stage process, the Estimator call, what it does
    if STAGE_NOW == stage:
        setattr(_tf.compat.v1.estimator.Estimator, method, _stuck(how))
'''
SHORT = Limits(timeout=25, memory_mb=2000)
# what the submission makes of which Estimator calls in which stage process (train() runs
# in the predict process as the resume), the finding, and the step the report must name
STOPS = {"evaluate_loops": ((("restore", "evaluate", "loop"),), "TIMEOUT", "evaluate()"),
         "evaluate_exits": ((("restore", "evaluate", "exit"),), "CRASHED", "evaluate()"),
         "resume_loops": ((("predict", "train", "loop"),), "TIMEOUT", "the resumed train()"),
         "predict_raises_resume_loops": ((("predict", "predict", "raise"),
                                          ("predict", "train", "loop")), "TIMEOUT",
                                         "the resumed train()"),
         # the trace process beside it got through and waits for training: not named
         "train_loops": ((("train", "train", "loop"),), "TIMEOUT", "train()"),
         # evaluate() ends its process early; predict() beside it loops until the stop
         "evaluate_exits_predict_loops": ((("restore", "evaluate", "exit"),
                                           ("predict", "predict", "loop")), "TIMEOUT",
                                          "predict()")}


@pytest.fixture(scope="module")
def stopped():
    _two_cpus_and_a_sandbox()

    def check(patches):
        source = STAGE_NAME + STUCK.replace("PATCHES", repr(patches)) + SOLUTION
        outcome = run_isolated("estimator", source.encode(), "submission.py", "file", SHORT,
                               stages=stages_of("estimator"))
        return outcome, report_from_outcome(outcome, "estimator", "submission.py", SHORT)

    with ThreadPoolExecutor(max_workers=3) as pool:  # (two stage processes each)
        done = pool.map(check, [patches for patches, _, _ in STOPS.values()])
        return dict(zip(STOPS, done, strict=True))


@pytest.mark.parametrize("case", list(STOPS))
def test_a_stop_while_both_ran_names_the_step_that_did_not_end(stopped, case):
    """Their stages finished in no one order: the report names the step that did not end,
    not the last stage of the merged list (the resume, when evaluate() hangs), nor a step
    that raised."""
    _, code, named = STOPS[case]
    outcome, report = stopped[case]
    finding = next(f for f in report.findings if f.code == code)
    finished = outcome.stage_obs()["stages"]
    assert ("resume" in finished) == (named == "evaluate()"), finished
    assert (f"The process running {named} ended" if code == "CRASHED" else
            f"while {named} was still running") in finding.what, finding.what
    assert "Last stage that finished" not in finding.what, finding.what
    assert dict(finding.evidence)["did not end"] == [named], finding.evidence
    assert f"stopped in {named}" in str(report).splitlines()[0], str(report)[:300]
    if code == "TIMEOUT":
        assert f"in your code that {named} runs" in finding.fix, finding.fix


def test_a_process_that_ended_before_the_stop_is_a_cause_of_its_own(stopped):
    """evaluate() called os._exit(3) while predict() beside it looped: the time-out names
    predict() alone as still running, and the early end is a finding of its own (the
    supervisor says when each process ended, not only when its group did)."""
    outcome, report = stopped["evaluate_exits_predict_loops"]
    assert outcome.stopped == "timeout" and outcome.ended.get("restore") == 3, outcome.ended
    assert "predict" not in outcome.ended and "restore" not in outcome.exits
    crash = next(f for f in report.findings if f.code == "CRASHED")
    assert crash.what.startswith("The process running evaluate() ended without a result "
                                 "(exit code 3)"), crash.what
    assert dict(crash.evidence)["ended before the stop"] == ["evaluate()"]
    timeout = next(f for f in report.findings if f.code == "TIMEOUT")
    assert "while predict() was still running" in timeout.what, timeout.what
    assert str(report).splitlines()[0].endswith("stopped in predict()"), str(report)[:300]


LINGERING = '''
import multiprocessing, time
if STAGE_NOW == "train":  # a child that outlives training: the trace must not wait for it
    multiprocessing.get_context("fork").Process(target=time.sleep, args=(600,),
                                                daemon=True).start()
'''


@pytest.fixture(scope="module")
def waited_or_loaded():
    _two_cpus_and_a_sandbox()

    def check(source):
        outcome = run_isolated("estimator", source.encode(), "submission.py", "file", SHORT,
                               stages=stages_of("estimator"))
        return outcome, report_from_outcome(outcome, "estimator", "submission.py", SHORT)

    sources = {"lingering": STAGE_NAME + LINGERING + SOLUTION,
               "load_error": "import numpy as np\nDATA = np.load('train_data.npy')\n" + SOLUTION}
    with ThreadPoolExecutor(max_workers=len(sources)) as pool:
        return dict(zip(sources, pool.map(check, sources.values()), strict=True))


def test_the_trace_waits_for_the_train_process_not_for_what_it_left(waited_or_loaded):
    """The trace process waits until the train process has exited (the supervisor holds
    the pipe's write end): a child that training left running holds nothing of it."""
    outcome, report = waited_or_loaded["lingering"]
    assert not outcome.stopped, outcome.stopped
    assert report.verdict == "pass", str(report)[:2000]
    assert outcome.survivors == []


def test_an_error_at_load_names_no_step_that_did_not_end(waited_or_loaded):
    """Both processes of the first group failed to load the submission: that is where
    the check stopped, not in the steps they never reached."""
    _, report = waited_or_loaded["load_error"]
    assert str(report).splitlines()[0].endswith("stopped after loading your code"), \
        str(report)[:300]
    crashed = next(f for f in report.findings if f.code == "CRASHED")
    assert "did not end" not in dict(crashed.evidence), crashed.evidence
    assert "while loading your code" in crashed.what, crashed.what
