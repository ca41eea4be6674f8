"""`ckptlab grade` runs one check per usable CPU by default (checker/cpus.py: the affinity,
capped by a cgroup CPU quota): on a hub pod limited to one CPU, a class is not graded as
many checks at once as the node has cores (each holds about 1 GB at its peak). Seen as
the checks' sandboxes alive at the same time while a real `ckptlab grade` runs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ckptlab.checker.isolation import support
from tests.conftest import skip_or_fail

pytestmark = pytest.mark.timeout(600)

SOLUTION = Path(__file__).resolve().parents[1] / "submissions" / "tf2-round-trip" / "solution.py"
HOLDER = b"/bin/sh\0-c\0echo ready; read _\0"  # the process each check's sandbox holds


def _descends_from(pid: int, ancestor: int) -> bool:
    while pid > 1:
        if pid == ancestor:
            return True
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return False
        pid = int(next(line for line in status.splitlines() if line.startswith("PPid:"))
                  .split()[1])
    return False


def _sandboxes_of(grader: int) -> int:
    count = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if command == HOLDER and _descends_from(int(entry.name), grader):
                count += 1
    return count


def _most_at_once(tmp_path: Path, cpus: set[int], name: str) -> tuple[int, int]:
    """The most sandboxes alive at once while `ckptlab grade` (default workers) grades
    four submissions on `cpus`; and its return code."""
    batch = tmp_path / name
    batch.mkdir()
    for number in range(4):
        shutil.copy(SOLUTION, batch / f"learner{number}.py")
    grader = subprocess.Popen(
        [sys.executable, "-m", "ckptlab", "grade", str(batch), "--exercise", "tf2-round-trip",
         "--out", str(tmp_path / f"{name}-out"), "--engine", "threads"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        preexec_fn=lambda: os.sched_setaffinity(0, cpus))
    most = 0
    while grader.poll() is None:
        most = max(most, _sandboxes_of(grader.pid))
        time.sleep(0.02)
    return most, grader.wait()


def test_one_usable_cpu_grades_one_submission_at_a_time(tmp_path):
    if not support().isolated:
        skip_or_fail(f"checks here are {support().describe()}", "apt-get install bubblewrap")
    cpus = sorted(os.sched_getaffinity(0))
    most, code = _most_at_once(tmp_path, {cpus[0]}, "one")
    assert code == 0
    assert most == 1, most  # seen, and never two
    if len(cpus) < 2:
        skip_or_fail("one CPU here: the two-CPU half of the test cannot run", "2 CPUs")
    most, code = _most_at_once(tmp_path, set(cpus[:2]), "two")
    assert code == 0
    assert most == 2, most  # (the same sampling sees two at once when two are allowed)
