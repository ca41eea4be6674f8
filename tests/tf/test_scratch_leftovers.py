"""A grader killed by SIGKILL in the middle of a check leaves its scratch folder and its
memory cgroup behind (no clean-up runs); the next grader's first sandbox sweeps them away,
and never a folder whose owner is alive."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ckptlab.checker.isolation import support
from tests.conftest import skip_or_fail

pytestmark = pytest.mark.timeout(300)

ROOT = Path(__file__).resolve().parents[2]
# the learner's code runs (it marks its start in its work folder), then stays until killed
STUCK = '''
import time
open("started", "w").close()
time.sleep(600)

def model_fn(features, labels, mode):
    raise NotImplementedError
'''
NEXT_SANDBOX = '''
from ckptlab.checker.isolation import Sandbox
from ckptlab.checker.limits import Limits
with Sandbox(Limits()) as box:
    print(box.scratch)
'''


def _wait_for(find, within: float):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        found = find()
        if found:
            return found
        time.sleep(0.2)
    return None


def _cgroups_of(pid: int) -> list[Path]:
    from ckptlab.checker.cgroups import own_cgroup_dirs

    found: set[Path] = set()  # (in cgroup v2 one cgroup may hold both controllers)
    for controller, kind in (("memory", support().cgroup), ("pids", support().pids)):
        if kind:
            found |= set(own_cgroup_dirs(controller)[kind].glob(f"ckptlab-{pid}-*"))
    return sorted(found)


def test_a_killed_graders_leftovers_are_swept_by_the_next_grader(tmp_path):
    if not support().isolated:
        skip_or_fail(f"checks here are {support().describe()}", "apt-get install bubblewrap")
    temp = tmp_path / "tmp"
    temp.mkdir()
    submission = tmp_path / "stuck.py"
    submission.write_text(STUCK)
    env = {**os.environ, "TMPDIR": str(temp)}
    grader = subprocess.Popen([sys.executable, "-m", "ckptlab", "check", str(submission)],
                              cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        started = _wait_for(lambda: list(temp.glob(f"ckptlab-check-{grader.pid}-*/work/started")),
                            within=240)
        assert started, "the learner's code never ran"
        cgroups = _cgroups_of(grader.pid)
        grader.send_signal(signal.SIGKILL)  # no atexit, no finally, no clean-up
        grader.wait()
    finally:
        grader.kill()
        grader.wait()
    scratch = started[0].parent.parent
    assert scratch.is_dir()  # what SIGKILL leaves: the situation to fix
    unrelated = temp / f"ckptlab-check-{os.getpid()}-alive"  # an owner that is alive
    unrelated.mkdir()

    # the sandbox ends with its grader (bwrap --die-with-parent): its cgroup empties
    assert _wait_for(lambda: all(not (c / "cgroup.procs").exists()
                                 or not (c / "cgroup.procs").read_text().split()
                                 for c in cgroups) or None, within=30)
    after = subprocess.run([sys.executable, "-c", NEXT_SANDBOX], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=120, check=True)
    assert not scratch.exists(), "the dead grader's scratch folder was not swept"
    assert not any(c.exists() for c in cgroups), "the dead grader's memory cgroup is left"
    assert unrelated.is_dir(), "a folder whose owner is alive was removed"
    assert not Path(after.stdout.strip()).exists()  # the next grader cleans its own too
    assert sorted(p.name for p in temp.iterdir()) == [unrelated.name]
