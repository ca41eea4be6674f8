"""The warm runner outlives the thread that started it, and a dead one is replaced.

A grading thread pool, Dask's worker threads and a notebook's worker thread all start
checks from threads that end. The warm runner must not die with them (PR_SET_PDEATHSIG
fires when the creating *thread* ends), and a runner killed from outside must be replaced
without the next check failing.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from ckptlab.checker.isolation import Limits
from ckptlab.checker.sandbox import check_file
from ckptlab.checker.warm import warm_runner

pytestmark = pytest.mark.timeout(600)

SOLUTION = Path(__file__).resolve().parents[1] / "submissions" / "tf2-round-trip" / "solution.py"
LIMITS = Limits(timeout=120)


def verdict(report) -> tuple[str, tuple]:
    return report.verdict, tuple(report.codes("error"))


def test_a_runner_started_from_a_thread_that_ended_serves_the_next_check():
    started: dict = {}
    thread = threading.Thread(target=lambda: started.update(
        report=check_file(SOLUTION, LIMITS), runner=warm_runner("tf2")))
    thread.start()
    thread.join()
    assert verdict(started["report"]) == ("pass", ())
    time.sleep(1.0)  # PR_SET_PDEATHSIG would have killed it by now
    assert started["runner"].alive(), "the warm runner died with the thread that started it"
    assert verdict(check_file(SOLUTION, LIMITS)) == ("pass", ())
    assert warm_runner("tf2") is started["runner"], "a live runner was replaced"


def test_a_runner_killed_from_outside_is_replaced_without_failing_the_check():
    runner = warm_runner("tf2")
    os.kill(runner.process.pid, signal.SIGKILL)  # no wait: the next check may race it
    assert verdict(check_file(SOLUTION, LIMITS)) == ("pass", ())
    replacement = warm_runner("tf2")
    assert replacement is not runner and replacement.alive()
