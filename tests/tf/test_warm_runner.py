"""The warm runner survives what happened to earlier checks, and never outlives its grader.

A grading thread pool, Dask's worker threads and a notebook's worker thread all start
checks from threads that end: the runner must not die with them (PR_SET_PDEATHSIG fires
when the creating *thread* ends). Each test provokes the real failure: a runner started
from a thread that has ended, a runner killed from outside (racing the next check, or
behind a stale "alive"), a runner killed while a check is in flight, a grader process that
dies. Checks are real sandboxed TF2 round trips.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ckptlab.checker import warm
from ckptlab.checker.isolation import support
from ckptlab.checker.limits import Limits
from ckptlab.checker.sandbox import check_file, report_from_outcome
from tests.conftest import skip_or_fail

pytestmark = pytest.mark.timeout(600)

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "tests" / "submissions" / "tf2-round-trip" / "solution.py"
LIMITS = Limits(timeout=90, memory_mb=1500)


@pytest.fixture(autouse=True)
def sandboxed():
    if not support().isolated:
        skip_or_fail(f"checks here are {support().describe()}", "apt-get install bubblewrap")


def _fresh_runners() -> None:
    warm._stop_runners()
    warm._RUNNERS.clear()


def _gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.1)
    return False


def _verdict(report) -> tuple[str, tuple]:
    return report.verdict, tuple(report.codes("error"))


def _passes() -> None:
    report = check_file(SOLUTION, LIMITS)
    assert report.verdict == "pass", str(report)[:2000]


def test_a_runner_started_from_a_thread_that_ended_serves_the_next_check():
    _fresh_runners()  # so that the thread really starts the runner
    started: dict = {}
    thread = threading.Thread(target=lambda: started.update(
        report=check_file(SOLUTION, LIMITS), runner=warm.warm_runner("tf2")))
    thread.start()
    thread.join()
    assert _verdict(started["report"]) == ("pass", ())
    time.sleep(1.0)  # PR_SET_PDEATHSIG would have killed it by now
    assert started["runner"].alive(), "the warm runner died with the thread that started it"
    assert _verdict(check_file(SOLUTION, LIMITS)) == ("pass", ())
    assert warm.warm_runner("tf2") is started["runner"], "a live runner was replaced"


def test_a_runner_killed_from_outside_is_replaced_without_failing_the_check():
    runner = warm.warm_runner("tf2")
    os.kill(runner.process.pid, signal.SIGKILL)  # no wait: the next check may race it
    assert _verdict(check_file(SOLUTION, LIMITS)) == ("pass", ())
    replacement = warm.warm_runner("tf2")
    assert replacement is not runner and replacement.alive()


def test_a_dead_runner_behind_a_stale_alive_is_replaced():
    _passes()
    dead = warm._RUNNERS["tf2"]
    dead.process.kill()
    dead.process.wait()
    dead.alive = lambda: True  # died between warm_runner's alive() and the request
    _passes()
    assert warm._RUNNERS["tf2"] is not dead


def test_a_check_in_flight_finishes_when_its_runner_dies():
    _passes()
    runner = warm._RUNNERS["tf2"]
    slow = f"import time\ntime.sleep(4)\n{SOLUTION.read_text()}".encode()
    result: list = []

    def check() -> None:
        outcome = warm.run_isolated("tf2", slow, "slow.py", "file", LIMITS)
        result.append(report_from_outcome(outcome, "tf2", "slow.py", LIMITS))

    thread = threading.Thread(target=check)
    thread.start()
    time.sleep(2.0)  # the check's supervisor is running, the submission is sleeping
    os.kill(runner.process.pid, signal.SIGKILL)
    thread.join(120)
    assert result and result[0].verdict == "pass", str(result)[:2000]
    _passes()  # and the next check gets a new runner


GRADER = """
import sys, time
from ckptlab.checker import warm
from ckptlab.checker.limits import Limits
from ckptlab.checker.sandbox import check_file
report = check_file(sys.argv[1], Limits(timeout=90))
print(report.verdict, warm._RUNNERS["tf2"].process.pid, flush=True)
time.sleep(600)
"""


def test_the_runner_ends_with_its_grader_process():
    grader = subprocess.Popen([sys.executable, "-c", GRADER, str(SOLUTION)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        verdict, runner_pid = grader.stdout.readline().split()
        assert verdict == "pass"
        assert not _gone(int(runner_pid), 1.0)  # warm while its grader lives
        grader.kill()  # no atexit, no clean-up: only the runner's own watch ends it
        grader.wait()
        assert _gone(int(runner_pid), 10.0)
    finally:
        grader.kill()
        grader.wait()
