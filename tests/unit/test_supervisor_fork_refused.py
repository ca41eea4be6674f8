"""A fork the supervisor makes after learner code ran, refused by the kernel (EAGAIN at
the check's process limit, which that code used up), is the submission's doing: the
check stops at the process limit instead of failing as the checker's error. Provoked for
real: a process with RLIMIT_NPROC of 1 as uid 65534 cannot fork."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ckptlab.checker.warm import Outcome, _take_result

ROOT = Path(__file__).resolve().parents[2]
REFUSED = """
import json, os, resource
from ckptlab.checker.runners import zygote
resource.setrlimit(resource.RLIMIT_NPROC, (1, 1))
os.setresgid(65534, 65534, 65534)
os.setresuid(65534, 65534, 65534)
seen = {}
for learner_ran in (False, True):
    if learner_ran:
        zygote._LEARNER_RAN.append("save")
    try:
        pid = zygote._fork()
        if pid == 0:
            os._exit(0)
        seen[str(learner_ran)] = "forked"
    except zygote._ProcessLimit:
        seen[str(learner_ran)] = "process limit"
    except BlockingIOError:
        seen[str(learner_ran)] = "refused"
print(json.dumps(seen))
"""


def test_a_refused_fork_after_learner_code_is_the_process_limit():
    if os.geteuid() != 0:
        pytest.skip("needs root to become uid 65534 with a process limit")
    done = subprocess.run([sys.executable, "-c", REFUSED], capture_output=True, text=True,
                          timeout=60, cwd="/", env={"PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == {"False": "refused", "True": "process limit"}


def test_the_supervisors_word_stops_the_check_at_the_process_limit():
    outcome = Outcome()
    _take_result(json.dumps({"stopped": "processes"}).encode(), outcome)
    assert outcome.stopped == "processes"
    earlier = Outcome(stopped="memory")  # a stop seen first stays the cause
    _take_result(json.dumps({"stopped": "processes"}).encode(), earlier)
    assert earlier.stopped == "memory"
