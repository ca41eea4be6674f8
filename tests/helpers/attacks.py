"""Hostile submissions for the sandbox's attack suite (tests/tf/test_sandbox_attacks.py).

Each attack is a TF2-track submission for the exercise tf2-round-trip: a real attempt
(printed as `ATTEMPT <what>: <result>` lines, read from the check's output) followed by
either the reference solution, when the attack only tries to reach outside (the check
must still pass), or a wrong solution, when the attack tries to turn it into a PASS.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SUBMISSIONS = Path(__file__).resolve().parents[1] / "submissions"
SOLUTION = (SUBMISSIONS / "tf2-round-trip" / "solution.py").read_text()
# restore() hands back a fresh model: VALUES_NOT_RESTORED, a FAIL
WRONG = SOLUTION.replace(
    "    checkpoint.restore(tf.train.latest_checkpoint(directory))"
    ".assert_existing_objects_matched()\n", "")
assert WRONG != SOLUTION

ATTEMPT = '''
import os, sys
def attempt(what, action):
    try:
        result = action()
        print(f"ATTEMPT {what}: REACHED {result!r}"[:300], flush=True)
        return True
    except BaseException as error:
        print(f"ATTEMPT {what}: blocked {type(error).__name__}: {error}"[:300], flush=True)
        return False
def allowed(what, action):  # harmless inside the scratch folder: must not matter
    try:
        action()
        print(f"ATTEMPT {what}: done", flush=True)
    except OSError as error:
        print(f"ATTEMPT {what}: failed {error}", flush=True)
'''

# observations of a perfect TF2 round trip, produced here by ckptlab's own runner on the
# reference solution: what a forger would send
_PERFECT_OBS = '''
def _perfect_obs():
    import tempfile, runpy, pathlib
    from ckptlab.checker.runners.tf2 import run_tf2
    source = """SOLUTION_SOURCE"""
    folder = pathlib.Path(tempfile.mkdtemp(dir="."))
    (folder / "good.py").write_text(source)
    good = runpy.run_path(str(folder / "good.py"))
    return run_tf2(good, folder, {str(folder / "good.py")})
'''.replace("SOLUTION_SOURCE", SOLUTION.replace('"""', "'''"))


@dataclass(frozen=True)
class Attack:
    name: str
    kind: str
    code: str  # runs at import, before the solution's definitions
    verdicts: tuple[str, ...]  # acceptable verdicts
    full_points: bool  # True: the solution behind it must still score 5/5
    solution: str = SOLUTION
    file_name: str = ""
    reason: str = ""  # words the report must contain (e.g. the limit that stopped it;
    # "a | b": either)

    @property
    def source(self) -> str:
        return ATTEMPT + self.code + "\n" + self.solution

    @property
    def file(self) -> str:
        return self.file_name or f"{self.name}.py"


def contained(name: str, kind: str, code: str, **extra) -> Attack:
    """An attempt to reach outside; the correct solution behind it must still pass."""
    return Attack(name, kind, code, ("pass",), True, **extra)


def stopped(name: str, kind: str, code: str, reason: str = "", **extra) -> Attack:
    """An attempt that ends its own check: never a pass, never a point."""
    return Attack(name, kind, code, ("error",), False, reason=reason, **extra)


def forged(name: str, kind: str, code: str, **extra) -> Attack:
    """A wrong solution trying to pass: must still fail."""
    return Attack(name, kind, code, ("fail", "error"), False, solution=WRONG, **extra)


SLEEPER = "import subprocess\n"
FORGE_LINES = '''
import json
_lines = [b'{"done": true}\\n', b'{"started": true}\\n',
          (json.dumps({"stage": "finished", "obs": {"track": "tf2", "errors": [],
           "stages": ["build", "train", "save", "restore", "call restored model",
                      "compare"]}}) + "\\n").encode()]
def forge_every_fd():
    for fd in range(0, 64):
        for line in _lines:
            try:
                os.write(fd, line)
            except OSError:
                pass
'''

ATTACKS: list[Attack] = [
    # -- forging the results --------------------------------------------------------
    stopped("forge_results_file", "forging", '''
for place in ("results.jsonl", "../results.jsonl", "/sandbox/results.jsonl",
              "/tmp/results.jsonl"):
    allowed(f"append done to {place}", lambda p=place: open(p, "a").write('{"done": true}\\n'))
os._exit(0)
''', reason="CRASHED"),
    stopped("forge_fd_done_then_exit", "fd writes", FORGE_LINES + '''
allowed("write forged lines to fds 0-63", forge_every_fd)
os._exit(0)
'''),
    forged("forge_fd_perfect_observations", "fd writes", _PERFECT_OBS + '''
import json
def _send():
    line = (json.dumps({"stage": "finished", "obs": _perfect_obs()}, default=str) + "\\n")
    for fd in range(3, 64):
        try:
            os.write(fd, line.encode())
        except OSError:
            pass
    return "sent"
allowed("send a perfect run's observations on every fd", _send)
os._exit(0)
'''),
    forged("forge_from_atexit", "atexit", FORGE_LINES + '''
import atexit
atexit.register(forge_every_fd)
print("ATTEMPT atexit forger: registered", flush=True)
'''),
    forged("forge_on_stdout_and_stderr", "forging", '''
import json
line = json.dumps({"stage": "finished", "obs": {"track": "tf2", "errors": [], "stages": [
    "build", "train", "save", "restore", "call restored model", "compare"]}})
allowed("print forged lines", lambda: (print(line), print('{"done": true}'),
                                       print(line, file=sys.stderr)))
'''),
    forged("patch_ckptlab_compare", "monkeypatching ckptlab", '''
import ckptlab.checker.runners.tf2 as _runner
def _patch():
    _runner._compare = lambda saved, restored: []
    return "patched _compare"
allowed("replace ckptlab's compare", _patch)
'''),
    forged("patch_numpy", "monkeypatching numpy", '''
import numpy as _np
def _patch():
    _np.max = lambda *a, **k: 0.0
    _np.allclose = lambda *a, **k: True
    return "patched numpy.max/allclose"
allowed("replace numpy functions", _patch)
'''),
    forged("patch_tensorflow", "monkeypatching TF", '''
import numpy as _np
import tensorflow as _tf
def _patch():
    _tf.Variable.numpy = lambda self: _np.zeros(self.shape, self.dtype.as_numpy_dtype)
    return "patched tf.Variable.numpy"
allowed("make every variable read as zeros", _patch)
'''),
    stopped("system_exit_at_import", "exit", '''
print("ATTEMPT SystemExit at import", flush=True)
raise SystemExit(0)
''', reason="CRASHED"),
    stopped("os_exit_in_build_model", "exit", '''
import tensorflow as tf
_real_dense = tf.keras.layers.Dense
def _exit_dense(*args, **kwargs):
    print("ATTEMPT os._exit(0) inside build_model", flush=True)
    os._exit(0)
tf.keras.layers.Dense = _exit_dense
'''),
    stopped("segfault", "crash", '''
import ctypes
print("ATTEMPT segfault: reading address 0", flush=True)
ctypes.string_at(0)
''', reason="CRASHED"),
    # -- processes that try to outlive the check ---------------------------------------
    contained("fork_survivor", "fork survivors", '''
def _fork():
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "77701"])
    return "forked sleep 77701"
allowed("fork a child that outlives the check", _fork)
'''),
    contained("setsid_survivor", "setsid survivors", '''
def _fork():
    if os.fork() == 0:
        os.setsid()
        os.execvp("sleep", ["sleep", "77702"])
    return "setsid sleep 77702"
allowed("fork, setsid", _fork)
'''),
    contained("double_fork_survivor", "double fork", '''
def _fork():
    if os.fork() == 0:
        if os.fork() == 0:
            os.setsid()
            os.execvp("sleep", ["sleep", "77703"])
        os._exit(0)
    os.wait()
    return "double-forked sleep 77703"
allowed("double fork (daemon)", _fork)
'''),
    contained("start_new_session_survivor", "start_new_session", SLEEPER + '''
allowed("Popen(start_new_session=True)",
        lambda: subprocess.Popen(["sleep", "77704"], start_new_session=True).pid)
'''),
    contained("fork_many", "fork survivors", '''
def _fork():
    for _ in range(60):
        if os.fork() == 0:
            os.execvp("sleep", ["sleep", "77705"])
    return "60 children"
allowed("fork 60 sleepers", _fork)
'''),
    contained("kill_everything", "killing the grader", '''
import signal
attempt("find the parent", lambda: os.getppid() or 1 / 0)  # outside: no pid here
attempt("kill pid 1", lambda: os.kill(1, signal.SIGKILL))
allowed("kill(-1): all of its own processes", lambda: os.kill(-1, signal.SIGKILL))
def _every():
    hit = []
    for pid in range(2, 5000):
        if pid != os.getpid():
            try:
                os.kill(pid, signal.SIGKILL)
                hit.append(pid)
            except OSError:
                pass
    return hit
allowed("kill every pid up to 5000", _every)
'''),
    # -- memory ------------------------------------------------------------------------
    stopped("memory_bomb", "memory", '''
print("ATTEMPT memory bomb: 3 GB in this process", flush=True)
_hog = bytearray(3 << 30)
''', reason="memory limit"),
    stopped("memory_in_child", "memory in children", '''
import time
if os.fork() == 0:
    print("ATTEMPT memory in a child: 1.5 GB", flush=True)
    _hog = bytearray(3 << 29)
    time.sleep(600)
time.sleep(60)
''', reason="memory limit"),
    stopped("memory_in_many_children", "memory in children", '''
import time
for _ in range(5):
    if os.fork() == 0:
        _hog = bytearray(300 << 20)
        time.sleep(600)
print("ATTEMPT memory in 5 children: 300 MB each", flush=True)
time.sleep(60)
''', reason="memory limit"),
    # -- processes and threads: the machine has 32768 process ids (kernel.pid_max) -------
    stopped("thread_flood", "process flood", '''
import threading
threading.stack_size(64 << 10)
_hold = threading.Event()
print("ATTEMPT 40000 threads, more than the machine has process ids", flush=True)
for _ in range(40000):
    try:
        threading.Thread(target=_hold.wait, daemon=True).start()
    except RuntimeError:
        break
_hold.wait(60)
''', reason="processes and threads exceeded"),
    # small processes (forks of a TensorFlow process reach the memory limit long before);
    # with TensorFlow's own process under this suite's 700 MB, either limit may come first
    stopped("fork_flood", "process flood", '''
import subprocess, time
print("ATTEMPT a shell forking sleeps until refused", flush=True)
subprocess.Popen(["/bin/sh", "-c", "while :; do sleep 600 & done"])
time.sleep(60)
''', reason="processes and threads exceeded | memory limit of"),
    # a child left behind holds the whole limit: the supervisor's fork of the next stage
    # is refused, which is the submission's doing, not the checker's failure
    stopped("leftover_holds_the_process_limit", "process flood", '''
import threading, time
print("ATTEMPT a leftover child takes every process id of the check", flush=True)
_full, _tell = os.pipe()
if os.fork() == 0:
    os.setsid()
    threading.stack_size(64 << 10)
    _hold = threading.Event()
    for _ in range(40000):
        try:
            threading.Thread(target=_hold.wait, daemon=True).start()
        except RuntimeError:
            break
    os.write(_tell, b"full")  # the stage that forked it ends only now
    _hold.wait(600)
    os._exit(0)
os.close(_tell)
os.read(_full, 4)
''', reason="processes and threads exceeded"),
    # -- disk and output -----------------------------------------------------------------
    stopped("disk_flood", "disk flood", '''
import time
print("ATTEMPT disk flood: 20 files of 10 MB, 3 times the disk limit", flush=True)
for number in range(20):
    try:
        with open(f"flood{number}", "wb") as handle:
            handle.write(b"x" * (10 << 20))
    except OSError:
        pass
time.sleep(60)
''', reason="disk limit"),
    stopped("disk_flood_tiny_files", "disk flood", '''
import time
print("ATTEMPT 60000 tiny files", flush=True)
os.makedirs("tiny", exist_ok=True)
for number in range(60000):
    open(f"tiny/{number}", "w").close()
time.sleep(60)
''', reason="disk limit"),
    contained("disk_flood_tmp", "disk flood", '''
def _fill():
    with open("/tmp/fill", "wb") as handle:
        for _ in range(1000):
            handle.write(b"x" * (1 << 20))
attempt("fill /tmp with 1 GB", _fill)
allowed("remove it", lambda: os.remove("/tmp/fill"))
'''),
    stopped("output_flood", "output flood", '''
print("ATTEMPT output flood: 200 MB", flush=True)
for _ in range(200):
    sys.stdout.write("y" * (1 << 20) + "\\n")
''', reason="output limit"),
    stopped("one_huge_line", "output flood", '''
print("ATTEMPT one 3 MB line, then exit", flush=True)
sys.stderr.write("z" * (3 << 20) + "\\n")
os._exit(3)
''', reason="CRASHED"),
    # -- network ---------------------------------------------------------------------------
    contained("network_internet", "network", '''
import socket
attempt("TCP to pypi.org:443", lambda: socket.create_connection(("pypi.org", 443), timeout=3))
attempt("TCP to 151.101.0.223:443",
        lambda: socket.create_connection(("151.101.0.223", 443), timeout=3))
attempt("UDP DNS to 1.1.1.1", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        .sendto(b"x", ("1.1.1.1", 53)))
'''),
    contained("network_host_loopback", "network", '''
import socket
attempt("TCP to the host's loopback listener",
        lambda: socket.create_connection(("127.0.0.1", HOST_PORT), timeout=3))
def _abstract():
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect("\\0" + "ABSTRACT_NAME")
    return "connected"
attempt("abstract unix socket of the host", _abstract)
'''),
    # -- files of others, the grader's environment ---------------------------------------
    contained("read_and_write_outside", "reading and writing others' files", '''
for path in ("OTHER_SUBMISSION", "OUTPUT_FOLDER/grades.csv", "/etc/shadow", "/root/.bashrc",
             "GUIDE_PATH"):
    attempt(f"read {path}", lambda p=path: open(p).read(100))
for path in ("OTHER_SUBMISSION", "OUTPUT_FOLDER/grades.csv", "OUTPUT_FOLDER/owned.json",
             "/root/ckptlab-attack-owned", "GRADER_CWD/ckptlab-attack-owned",
             "PACKAGE_DIR/ckptlab-attack-owned", "PACKAGE_DIR/checker/judge_owned.py",
             "/etc/ckptlab-attack-owned", "/sandbox/submission/owned.py"):
    attempt(f"write {path}", lambda p=path: open(p, "a").write("owned"))
'''),
    contained("read_grader_secret", "reading the grader's env secrets", '''
def _look():
    found = [value for value in os.environ.values() if "SECRET_VALUE" in value]
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if b"SECRET_VALUE" in open(f"/proc/{pid}/environ", "rb").read():
                    found.append(pid)
            except OSError:
                pass
    if found:
        raise RuntimeError("leaked SECRET_VALUE")
    raise LookupError("no secret visible")
try:
    _look()
except LookupError as error:
    print(f"ATTEMPT look for the grader's secret: blocked {error}", flush=True)
''' ),
    # -- module shadowing ----------------------------------------------------------------
    contained("shadow_json", "module shadowing", "", file_name="json.py"),
    contained("shadow_numpy", "module shadowing", "", file_name="numpy.py"),
    contained("shadow_ckptlab", "module shadowing", "", file_name="ckptlab.py"),
    contained("shadow_tensorflow", "module shadowing", "", file_name="tensorflow.py"),
    contained("plant_module_in_cwd", "module shadowing", '''
allowed("plant numpy.py in the cwd", lambda: open("numpy.py", "w").write("raise SystemExit"))
allowed("plant ckptlab/ in the cwd", lambda: os.makedirs("ckptlab/checker"))
'''),
    # -- time ------------------------------------------------------------------------------
    stopped("native_loop", "time", '''
import re
print("ATTEMPT a loop inside native code (regex backtracking)", flush=True)
re.match("(a*)*b", "a" * 64)
''', reason="TIMEOUT"),
]
