"""A fork the supervisor makes after learner code ran, refused by the kernel (EAGAIN at
the check's process limit, which that code used up), is the submission's doing: the
check stops at the process limit instead of failing as the checker's error. A refusal
with the sandbox far below its own limit (pid_max, an enclosing limit) is the machine's.
Provoked for real: a process in a pids cgroup whose pids.max is 1 cannot fork."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ckptlab.checker.cgroups import CheckCgroup, cgroup_kind
from ckptlab.checker.warm import Outcome, _take_result

ROOT = Path(__file__).resolve().parents[2]
REFUSED = """
import json, os, sys
from ckptlab.checker.runners import zygote
open(sys.argv[1], "w").write(str(os.getpid()))  # into a pids cgroup holding only this one
seen = {}
# (no sandbox here: its /proc is the host's, whose tasks are far more than a limit of 2)
for name, request, after_learner in (
        ("before learner code", {"processes": 2, "holder": 1}, False),
        ("after, at the check's limit", {"processes": 2, "holder": 1}, True),
        ("after, far below the check's limit", {"processes": 10 ** 9, "holder": 1}, True),
        ("after, with no limit of the check's", {"processes": 0, "holder": 1}, True)):
    try:
        pid = zygote._fork(request, after_learner)
        if pid == 0:
            os._exit(0)
        seen[name] = "forked"
    except zygote._ProcessLimit:
        seen[name] = "process limit"
    except BlockingIOError:
        seen[name] = "the machine's refusal"
print(json.dumps(seen))
"""


def test_a_refused_fork_after_learner_code_is_the_process_limit():
    kind = cgroup_kind("pids")
    if os.geteuid() != 0 or not kind:
        pytest.skip("needs a pids cgroup of its own (root, a pids controller)")
    group = CheckCgroup("pids", kind, {"pids.max": 1})
    try:
        done = subprocess.run([sys.executable, "-c", REFUSED, group.procs],
                              capture_output=True, text=True, timeout=60, cwd="/",
                              env={"PYTHONPATH": str(ROOT)})
    finally:
        group.remove()
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == {
        "before learner code": "the machine's refusal",
        "after, at the check's limit": "process limit",
        "after, far below the check's limit": "the machine's refusal",
        "after, with no limit of the check's": "the machine's refusal"}


def test_the_supervisors_word_stops_the_check_at_the_process_limit():
    outcome = Outcome()
    _take_result(json.dumps({"stopped": "processes"}).encode(), outcome)
    assert outcome.stopped == "processes"
    earlier = Outcome(stopped="memory")  # a stop seen first stays the cause
    _take_result(json.dumps({"stopped": "processes"}).encode(), earlier)
    assert earlier.stopped == "memory"


FILL = """
import os, subprocess, sys, time
open(sys.argv[1], "w").write(str(os.getpid()))
children = []
for _ in range(6):
    try:
        children.append(subprocess.Popen(["sleep", "30"]))
    except OSError:
        break
print(len(children), flush=True)
time.sleep(30)
"""


def test_a_pids_cgroup_tells_a_refusal_at_its_own_limit():
    kind = cgroup_kind("pids")
    if os.geteuid() != 0 or not kind:
        pytest.skip("needs a pids cgroup of its own (root, a pids controller)")
    group = CheckCgroup("pids", kind, {"pids.max": 4})
    assert not group.processes_refused()  # nothing refused yet
    filler = None
    try:
        filler = subprocess.Popen([sys.executable, "-c", FILL, group.procs],
                                  stdout=subprocess.PIPE, text=True)
        started = int(filler.stdout.readline())
        assert started == 3  # the filler and 3 sleeps: the 4 pids.max allows
        assert group.processes_refused()
    finally:
        group.remove()  # (kills the filler and its sleeps)
        if filler is not None:
            filler.wait(10)
