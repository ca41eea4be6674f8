"""The attack suite: every hostile submission of tests/helpers/attacks.py, really attempted.

All attacks run once (in parallel, from one warm runner) in a module fixture; each test
then asserts for its attack: the verdict and the points, that the attempt really ran
(its ATTEMPT lines in the check's output), that no process of it survived, and that
nothing outside its scratch folder changed. A last test grades a folder where one
learner attacks the others, the output folder and the grader itself.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ckptlab.checker.isolation import support
from ckptlab.checker.limits import Limits
from ckptlab.checker.sandbox import report_from_outcome
from ckptlab.checker.warm import _RUNNERS, run_isolated
from ckptlab.exercises import get_exercise, points_for
from tests.conftest import skip_or_fail
from tests.helpers.attacks import ATTACKS, SOLUTION, Attack

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "ckptlab"
EXERCISE = get_exercise("tf2-round-trip")
LIMITS = Limits(timeout=40, memory_mb=700, disk_mb=64, output_mb=2)
SECRET = "ckptlab-secret-7f3a9"
MARKERS = ("sleep 777",)  # command lines of the survivors the attacks try to leave
# the host paths attacks write to, as seen from the grader
OUTSIDE = [Path("/root/ckptlab-attack-owned"), Path.cwd() / "ckptlab-attack-owned",
           PACKAGE / "ckptlab-attack-owned", PACKAGE / "checker" / "judge_owned.py",
           Path("/etc/ckptlab-attack-owned"), Path("/tmp/results.jsonl"), Path("/tmp/fill")]


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()


def _listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def _left_by_us(pid: int, runners: set[int]) -> bool:
    """A fork of one of our warm runners (a supervisor or stage process left over), a
    runner of ours that is not in use, or an orphan. A runner of another process (say, a
    notebook kernel some other test started) is not this suite's doing."""
    parent = _parent(pid)
    if parent in (0, 1, os.getpid()):
        return True
    while parent > 1:
        if parent in runners:
            return True
        parent = _parent(parent)
    return False


def stray_processes() -> list[str]:
    """Processes an attack left: its sleepers, or forks of the warm runner that are not
    the runners themselves."""
    runners = {runner.process.pid for runner in _RUNNERS.values()}
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in runners:
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "ckptlab.checker.runners.zygote" in command:
            try:  # a warm runner of this checkout (other checkouts may run their own)
                mine = f"PYTHONPATH={ROOT}".encode() in (entry / "environ").read_bytes()
            except OSError:
                mine = False
            if mine and _left_by_us(int(entry.name), runners):
                found.append(f"{entry.name} (parent {_parent(int(entry.name))}): "
                             f"{command[:80]}")
        elif any(marker in command for marker in MARKERS):
            found.append(f"{entry.name}: {command[:80]}")
    return found


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    if not support().isolated:
        skip_or_fail(f"checks here are {support().describe()}", "apt-get install bubblewrap")
    base = tmp_path_factory.mktemp("attacks")
    others, out = base / "others", base / "out"
    others.mkdir()
    out.mkdir()
    (others / "classmate.py").write_text(SOLUTION)
    (out / "grades.csv").write_text("submission,total\nclassmate.py,5\n")
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    abstract_name = f"ckptlab-attack-{os.getpid()}"
    abstract.bind("\0" + abstract_name)
    abstract.listen()
    abstract.settimeout(0.1)
    os.environ["CKPTLAB_GRADER_TOKEN"] = SECRET  # the grader's own secret
    places = {"HOST_PORT": str(listener.getsockname()[1]), "ABSTRACT_NAME": abstract_name,
              "OTHER_SUBMISSION": str(others / "classmate.py"), "OUTPUT_FOLDER": str(out),
              "GUIDE_PATH": "/work/wt/GUIDE.md", "GRADER_CWD": os.getcwd(),
              "PACKAGE_DIR": str(PACKAGE), "SECRET_VALUE": SECRET}
    watched = {"others": others, "out": out}
    before = {name: _listing(folder) for name, folder in watched.items()}
    files_before = {"others": (others / "classmate.py").read_bytes(),
                    "grades": (out / "grades.csv").read_bytes()}
    package_before = _tree_digest(PACKAGE)

    def run(attack: Attack):
        try:
            return check(attack)
        except Exception as error:  # reported by the attack's own test
            return error

    def check(attack: Attack):
        source = attack.source
        for key, value in places.items():
            source = source.replace(key, value)
        outcome = run_isolated("tf2", source.encode(), attack.file, "file", LIMITS)
        report = report_from_outcome(outcome, "tf2", attack.file, LIMITS, EXERCISE.id)
        return outcome, report

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = dict(zip([a.name for a in ATTACKS], pool.map(run, ATTACKS), strict=True))
    time.sleep(1.0)  # anything a survivor would do later has had time to happen
    accepted = []
    for server in (listener, abstract):
        with contextlib.suppress(OSError):
            accepted.append(server.accept())
    after = {name: _listing(folder) for name, folder in watched.items()}
    planted = [str(p) for p in OUTSIDE if p.exists()]
    yield {"results": results, "before": before, "after": after, "accepted": accepted,
           "files_before": files_before, "others": others, "out": out,
           "package_before": package_before, "strays": stray_processes(), "planted": planted,
           "seconds": time.monotonic() - start}
    listener.close()
    abstract.close()
    os.environ.pop("CKPTLAB_GRADER_TOKEN", None)


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_attack_is_stopped(attacked, attack: Attack):
    result = attacked["results"][attack.name]
    assert not isinstance(result, Exception), result  # the grader itself must not fail
    if attack.kind == "process flood" and not support().pids:
        pytest.skip(f"no pids cgroup here ({support().describe()}): a refused thread is "
                    "the learner's exception, not a stop at the limit")
    outcome, report = result
    output = outcome.output.decode(errors="replace")
    data = json.dumps(report.to_dict())
    points = points_for(EXERCISE, report.verdict, report.codes("error"))
    assert report.verdict in attack.verdicts, (report.codes(), output[-1500:])
    if attack.full_points:
        assert sum(points.values()) == EXERCISE.total, (points, output[-1500:])
    else:
        assert sum(points.values()) < EXERCISE.total
        assert report.verdict != "pass"
    if attack.code.strip():
        assert "ATTEMPT " in output, output[-1500:]  # the attack really ran
        assert ": REACHED" not in output, output[-1500:]
    if attack.reason:
        assert any(words in str(report) for words in attack.reason.split(" | ")), \
            str(report)[:2000]
    assert outcome.isolated and outcome.survivors == []
    assert len(data) < 200_000  # no flood reaches the report
    assert SECRET not in data and SECRET not in output


def test_no_attack_left_anything_behind(attacked):
    assert attacked["strays"] == []
    assert attacked["accepted"] == []  # no connection reached the host's listeners
    assert attacked["before"] == attacked["after"]
    assert attacked["planted"] == []
    assert (attacked["others"] / "classmate.py").read_bytes() == \
        attacked["files_before"]["others"]
    assert (attacked["out"] / "grades.csv").read_bytes() == attacked["files_before"]["grades"]
    assert sorted(p.name for p in attacked["out"].iterdir()) == ["grades.csv"]
    assert _tree_digest(PACKAGE) == attacked["package_before"]


def test_the_attack_suite_is_broad(attacked):
    kinds = {attack.kind for attack in ATTACKS}
    assert len(ATTACKS) >= 30
    for kind in ("forging", "fd writes", "monkeypatching ckptlab", "monkeypatching numpy",
                 "monkeypatching TF", "atexit", "fork survivors", "setsid survivors",
                 "double fork", "start_new_session", "memory in children",
                 "process flood", "disk flood",
                 "output flood", "network", "reading and writing others' files",
                 "reading the grader's env secrets", "killing the grader",
                 "module shadowing"):
        assert kind in kinds, kind


MALLORY = '''
import os, signal, time
for path in ("SUBMISSIONS/alice.py", "SUBMISSIONS/carol.py"):
    try:
        open(path, "w").write("def build_model():\\n    raise ValueError\\n")
    except OSError as error:
        print("ATTEMPT rewrite", path, "blocked", error)
if os.fork() == 0:
    os.setsid()
    time.sleep(4)  # after the grader has written grades.csv
    try:
        open("OUT/grades.csv", "a").write("mallory.py,pass,5,5,5,5,5,25,25,\\n")
    except OSError:
        pass
    os._exit(0)
for pid in range(2, 5000):
    if pid != os.getpid():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
os.kill(os.getppid(), signal.SIGKILL)
'''


def test_grade_a_class_with_a_hostile_learner(tmp_path):
    if not support().isolated:
        skip_or_fail(f"checks here are {support().describe()}", "apt-get install bubblewrap")
    folder, out = tmp_path / "class", tmp_path / "out"
    folder.mkdir()
    for name in ("alice.py", "carol.py"):
        (folder / name).write_text(SOLUTION)
    (folder / "alice.ipynb").write_text(json.dumps({"cells": [{
        "cell_type": "code", "metadata": {}, "source": SOLUTION}], "metadata": {},
        "nbformat": 4, "nbformat_minor": 5}))
    (folder / "mallory.py").write_text(
        MALLORY.replace("SUBMISSIONS", str(folder)).replace("OUT", str(out)) + SOLUTION)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    done = subprocess.run([sys.executable, "-m", "ckptlab", "grade", str(folder), "--exercise",
                           EXERCISE.id, "--out", str(out), "--workers", "2",
                           "--require-sandbox", "--timeout", "60"],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    # how the checks were isolated, for the instructor's record
    assert done.stdout.splitlines()[-1] == f"checks on this machine are {support().describe()}", \
        done.stdout
    grades = (out / "grades.csv").read_text()
    time.sleep(5)  # mallory's daemon would append now
    assert (out / "grades.csv").read_text() == grades
    rows = {Path(row["file"]).name: row for row in csv.DictReader(grades.splitlines())}
    reports = {p.name: p.read_text()[:1500] for p in (out / "reports").glob("*.json")}
    assert set(rows) == {"alice.py", "alice.ipynb", "carol.py", "mallory.py"}
    for name in ("alice.py", "alice.ipynb", "carol.py"):
        assert (rows[name]["verdict"], rows[name]["total"]) == ("pass", "5"), reports
    assert sorted(p.name for p in (out / "reports").iterdir()) == [
        "alice.ipynb.json", "alice.py.json", "carol.py.json", "mallory.py.json"]
    assert {p.name for p in out.iterdir()} <= {
        "results.json", "reports", "grades.csv", "gradebook.csv", "gradescope"}
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert [p for p in stray_processes() if "zygote" not in p] == []
