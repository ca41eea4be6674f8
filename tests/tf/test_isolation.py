"""The sandbox's filesystem and users, attempted for real with bubblewrap.

A checkout (or a Python) under the host's /tmp stays visible inside, although the sandbox
mounts a private tmpfs on /tmp. A grader that is not root (uid 65534) still sandboxes its
checks, through user namespaces, and limits memory without a cgroup.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from ckptlab.checker.isolation import support
from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]

INSIDE_CHECKOUT = """
import sys, tempfile
from pathlib import Path
from ckptlab.checker import bwrap
with tempfile.TemporaryDirectory() as tmp:
    root = __import__("os").geteuid() == 0  # (not root: through a user namespace)
    scratch = bwrap.prepare_scratch(Path(tmp), for_sandbox_uid=root)
    probe = "import ckptlab.checker.isolation as i, os; print(i.__file__, os.listdir('/tmp'))"
    sandbox = bwrap.Bwrap(__import__("shutil").which("bwrap"), userns=not root)
    args = [*sandbox.args(scratch), sys.executable, "-c", probe]
    done = __import__("subprocess").run(args, capture_output=True, text=True, timeout=60,
                                        env={"PYTHONPATH": sys.argv[1]})
    print(done.returncode, done.stdout.strip(), done.stderr.strip()[-500:])
"""


@pytest.fixture(autouse=True)
def sandboxed():
    if not support().isolated:
        skip_or_fail(f"checks here are {support().describe()}", "apt-get install bubblewrap")


def test_a_checkout_under_tmp_is_visible_inside_the_sandbox(tmp_path):
    checkout = tmp_path / "checkout"  # pytest's tmp_path lives under /tmp
    assert str(checkout).startswith("/tmp/")
    shutil.copytree(ROOT / "ckptlab", checkout / "ckptlab",
                    ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run([sys.executable, "-c", INSIDE_CHECKOUT, str(checkout)],
                          capture_output=True, text=True, timeout=120, cwd="/",
                          env={**os.environ, "PYTHONPATH": str(checkout)})
    assert done.returncode == 0, done.stderr[-2000:]
    code, found, *rest = done.stdout.split(" ", 2)
    assert code == "0", done.stdout
    assert found == str(checkout / "ckptlab" / "checker" / "isolation.py"), done.stdout
    # and /tmp inside is still the sandbox's own, empty tmpfs apart from the checkout's path
    assert rest[0].startswith(f"['{tmp_path.relative_to('/tmp').parts[0]}']"), done.stdout


# -- the non-root path: a grader without root, sandboxed through user namespaces ----------

# threads until one is refused; the count reaches the report as an exception's message
THREADS = """
import threading
threading.stack_size(64 << 10)
_hold, _threads = threading.Event(), []
try:
    for _ in range(2000):
        _threads.append(threading.Thread(target=_hold.wait, daemon=True))
        _threads[-1].start()
except RuntimeError:
    _threads.pop()
_started = len(_threads)
_hold.set()  # all of them end: TensorFlow gets threads of its own again
for _thread in _threads:
    _thread.join()
def build_model():
    raise ValueError(f"STARTED {_started} THREADS")
"""

# a user namespace of the learner's own (bwrap --disable-userns refuses it: ENOSPC)
NESTED = """
import subprocess
_nested = subprocess.run(["unshare", "--user", "--map-root-user", "true"],
                         capture_output=True, text=True)
def build_model():
    raise ValueError(f"NESTED rc={_nested.returncode} {_nested.stderr.strip()}")
"""


AS_NOBODY = """
import json, os, sys
from pathlib import Path
from ckptlab.checker.isolation import support
from ckptlab.checker.limits import Limits
from ckptlab.checker.sandbox import check_file
folder = Path(sys.argv[1])
secret = folder / "grader-secret.txt"  # the grader's own file: same host uid as the learner
secret.write_text("grader secret")
secret.chmod(0o600)
reach = f'''
for action in (lambda: open({str(secret)!r}).read(), lambda: open({str(folder)!r} + "/owned", "w")):
    try:
        action()
        print("ATTEMPT reach the grader's files: REACHED", flush=True)
    except OSError as error:
        print("ATTEMPT reach the grader's files: blocked", error, flush=True)
'''
solution = (folder / "solution.py").read_text()
(folder / "reach.py").write_text(reach + solution)
(folder / "memory.py").write_text(
    "import os, time\\nif os.fork() == 0:\\n    hog = bytearray(1 << 30)\\n    time.sleep(60)\\n"
    "time.sleep(60)\\n" + solution)
(folder / "threads.py").write_text(solution + THREADS_SOURCE)
(folder / "nested.py").write_text(solution + NESTED_SOURCE)
limits = Limits(timeout=90, memory_mb=700, processes=300)
reports = {name: check_file(folder / f"{name}.py", limits)
           for name in ("solution", "reach", "memory", "threads", "nested")}
print(json.dumps({"uid": os.getuid(), "support": support().__dict__,
                  "isolation": support().describe(),
                  "reports": {name: {"verdict": r.verdict, "codes": r.codes(),
                                     "text": str(r), "notes": list(r.notes)}
                              for name, r in reports.items()},
                  "secret": secret.read_text(), "owned": (folder / "owned").exists()}))
""".replace("THREADS_SOURCE", repr(THREADS)).replace("NESTED_SOURCE", repr(NESTED))


def _python_for_nobody(folder: Path) -> Path:
    """A venv of the system's Python (ours may live under /root, unreadable for uid 65534)
    that sees the same packages and this ckptlab."""
    system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    if not system.exists():
        pytest.skip(f"no {system} of this Python's version to run as uid 65534")
    subprocess.run([str(system), "-m", "venv", "--without-pip", str(folder / "venv")],
                   check=True, timeout=120)
    site = next((folder / "venv" / "lib").glob("python*/site-packages"))
    ours = next(p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir())
    (site / "ckptlab-under-test.pth").write_text(f"{ours}\n{ROOT}\n")
    return folder / "venv" / "bin" / "python"


def test_an_unprivileged_grader_sandboxes_through_user_namespaces():
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root to become uid 65534 (setpriv, util-linux)")
    folder = Path(tempfile.mkdtemp(prefix="ckptlab-nobody-"))  # not pytest's 0700 tmp
    try:
        python = _python_for_nobody(folder)
        shutil.copy(ROOT / "tests" / "submissions" / "tf2-round-trip" / "solution.py", folder)
        subprocess.run(["chmod", "-R", "a+rX", str(folder)], check=True)
        os.chown(folder, 65534, 65534)
        done = subprocess.run(
            ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", str(python),
             "-c", AS_NOBODY, str(folder)], capture_output=True, text=True, timeout=600,
            cwd="/", env={"PATH": "/usr/bin:/bin", "HOME": str(folder), "LANG": "C.UTF-8"})
        assert done.returncode == 0, done.stderr[-3000:]
        seen = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert seen["uid"] == 65534
    # bubblewrap 0.8 and later lock user namespaces (learner code cannot make its own),
    # unless the host refuses bwrap the sysctl it writes for that: then the line says why
    found = seen["support"]
    knows = "--disable-userns" in subprocess.run([found["bwrap"], "--help"], capture_output=True,
                                                 text=True, check=False).stdout.split()
    refused = "max_user_namespaces" in found["unlocked_because"]
    locks = found["userns_locked"]
    assert locks == (knows and not refused), found
    assert found == {"isolated": True, "reason": "", "userns": True, "cgroup": "", "pids": "",
                     "nproc": True, "bwrap": os.path.realpath(shutil.which("bwrap")),
                     "userns_locked": locks, "unlocked_because": found["unlocked_because"]}
    assert bool(found["unlocked_because"]) == (not locks), found  # (the line says why)
    reports = seen["reports"]
    for name in ("solution", "reach"):
        assert (reports[name]["verdict"], reports[name]["notes"]) == ("pass", []), \
            reports[name]["text"]
    assert seen["secret"] == "grader secret" and not seen["owned"]
    # no memory cgroup without root: the limit holds by measuring the whole process tree
    memory = reports["memory"]
    assert (memory["verdict"], memory["codes"]) == ("error", ["CRASHED"]), memory["text"]
    assert "memory limit of 700 MB exceeded (all processes together)" in memory["text"]
    # no pids cgroup either: RLIMIT_NPROC, counted in the sandbox's own user namespace,
    # refuses threads past the limit (300 with the stage process's own, about 20)
    threads = reports["threads"]
    started = int(threads["text"].split("STARTED ")[1].split()[0])
    assert 300 - 60 <= started < 300, threads["text"]
    # no user namespace of the learner's own: bubblewrap's --disable-userns refuses it
    nested = reports["nested"]["text"]
    if locks:
        assert "NESTED rc=1" in nested and "No space left on device" in nested, nested
        assert "user namespace, none of the learner's own" in seen["isolation"]
    else:  # an older bubblewrap, or the sysctl refused: the sandbox without the lock
        assert "NESTED rc=0" in nested, nested
        assert "user namespace, none of the learner's own" not in seen["isolation"]


def test_the_cgroups_in_use_here():
    """A check's memory and pids cgroups: cgroup v2 where the controller is enabled for
    this process's children (cgroup.subtree_control), else its v1 hierarchy; on a machine
    where both are bound to cgroup v1 (this one), v1 is used and v2 cannot be tried."""
    from ckptlab.checker.cgroups import cgroup_kind, own_cgroup_dirs

    if os.geteuid() != 0:
        pytest.skip("memory and pids cgroups need root here")
    for controller, chosen in (("memory", support().cgroup), ("pids", support().pids)):
        dirs = own_cgroup_dirs(controller)
        if not dirs:
            assert chosen == "", controller  # no such controller on this machine
            continue
        v2 = dirs.get("v2")
        enabled = bool(v2) and controller in (v2 / "cgroup.subtree_control").read_text().split()
        assert chosen == cgroup_kind(controller) == ("v2" if enabled else "v1"), controller


def test_as_root_without_a_pids_cgroup_processes_are_not_limited(monkeypatch):
    """As root the sandbox's uid 65534 is the host's: RLIMIT_NPROC would count every
    check running at once (one learner's threads refused another's), so without a pids
    cgroup there is no process limit, and the report says so. (RLIMIT_NPROC holds as a
    user namespace's own count: test_an_unprivileged_grader_sandboxes_through_user_...)"""
    from ckptlab.checker import isolation
    from ckptlab.checker.isolation import Sandbox
    from ckptlab.checker.limits import Limits

    if os.geteuid() != 0:
        pytest.skip("the root path")
    if not support().isolated:
        skip_or_fail(f"checks here are {support().describe()}", "apt-get install bubblewrap")
    real_kind = isolation.cgroup_kind
    monkeypatch.setattr(isolation, "cgroup_kind",
                        lambda controller: "" if controller == "pids" else real_kind(controller))
    without_pids = isolation.support.__wrapped__()  # probed afresh: no pids cgroup here
    monkeypatch.setattr(isolation, "support", lambda: without_pids)
    with Sandbox(Limits(timeout=30, memory_mb=512, disk_mb=16, output_mb=1)) as box:
        request = box.join_request()
        assert box.pids_cgroup is None and not box.support.nproc, box.support
        assert not box.processes_limited  # (the report then notes the isolation line)
        assert (request["nproc"], request["processes"]) == (0, 0)
        assert "processes not limited: no pids cgroup" in box.describe()
        memory = f"memory cgroup {box.cgroup.kind}" if box.cgroup else "memory measured over"
        assert memory in box.describe(), box.describe()  # what this sandbox got


def test_processes_left_between_stages_are_found_and_stopped():
    """What the grader does between two stages (warm._run_once): a process in the
    sandbox's pid namespace that is neither the sandbox's own nor the supervisor is
    killed, and counted, before the next stage may run."""
    from ckptlab.checker.isolation import Sandbox
    from ckptlab.checker.limits import Limits

    if shutil.which("nsenter") is None:
        skip_or_fail("nsenter (util-linux) is missing.", "apt-get install util-linux")
    with Sandbox(Limits(timeout=30, memory_mb=512, disk_mb=16, output_mb=1)) as box:
        own = set(box.members())
        assert box.end_strays(own) == (0, [])
        left = subprocess.Popen(["nsenter", "-t", str(box.holder_pid), "-p", "-m", "--",
                                 "sleep", "60"])
        try:
            for _ in range(200):  # until sleep runs inside the namespace
                if set(box.members()) - own - {left.pid}:
                    break
                time.sleep(0.01)
            found, still = box.end_strays(own | {left.pid})  # nsenter itself is outside
            assert (found, still) == (1, [])
            assert left.wait(timeout=10) != 0  # its child, sleep, was killed
        finally:
            left.kill()
