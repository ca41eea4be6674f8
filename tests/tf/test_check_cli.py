"""`ckptlab check` and `ckptlab grade` from a shell: JSON contract, exit codes, robustness."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

SUBMISSIONS = Path(__file__).resolve().parents[1] / "submissions"
CKPTLAB = [sys.executable, "-m", "ckptlab"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CKPTLAB, *args], capture_output=True, text=True, timeout=600)


def test_check_json_and_exit_codes():
    passed = run("check", str(SUBMISSIONS / "tf2-round-trip/solution.py"), "--json")
    data = json.loads(passed.stdout)
    assert passed.returncode == 0 and data["verdict"] == "pass" and data["findings"] == []
    assert set(data) >= {"verdict", "track", "findings", "timings"}
    assert data["timings"]["total"] > 0
    failed = run("check", str(SUBMISSIONS / "provoke/tf2_shape_change.py"))
    assert failed.returncode == 1
    assert failed.stdout.startswith("FAIL  tf2_shape_change.py (tf2 track")
    assert "[error] SHAPE_MISMATCH:" in failed.stdout


def test_check_that_cannot_judge_exits_2_without_a_traceback(tmp_path):
    empty = tmp_path / "empty.py"
    empty.write_text("x = 1\n")
    result = run("check", str(empty), "--json")
    assert result.returncode == 2 and json.loads(result.stdout)["verdict"] == "error"
    missing = run("check", str(tmp_path / "missing.py"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    unknown = run("check", str(empty), "--exercise", "no-such-exercise")
    assert unknown.returncode == 2 and "No exercise" in unknown.stderr


def test_a_reader_that_leaves_early_gets_no_traceback(tmp_path):
    """`ckptlab check x.py --json | head -1`: the pipe closes before the report is written."""
    empty = tmp_path / "empty.py"
    empty.write_text("x = 1\n")
    check = subprocess.Popen([*CKPTLAB, "check", str(empty), "--json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    check.stdout.close()
    stderr = check.stderr.read()
    assert check.wait(timeout=600) == 1
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr


def test_grade_never_stops_on_a_bad_submission(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SUBMISSIONS / "tf2-round-trip/solution.py", folder / "alice.py")
    # the starter code with another file name: answered, and still the wrong path
    wrong = (SUBMISSIONS / "tf2-round-trip/wrong_write_then_latest.py").read_text()
    (folder / "bob.py").write_text(wrong.replace("/weights", "/model"))
    (folder / "carol.py").write_text("def build_model(:\n")  # syntax error
    (folder / "dave.ipynb").write_text("{not json")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    result = run("grade", str(folder), "--exercise", "tf2-round-trip", "--out",
                 str(tmp_path / "out"), "--workers", "2")
    assert result.returncode == 0, result.stderr
    with (tmp_path / "out" / "grades.csv").open() as handle:
        rows = {row["file"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"alice.py", "bob.py", "carol.py", "dave.ipynb"}
    assert rows["dave.ipynb"]["state"] == "could_not_check"
    assert (rows["alice.py"]["verdict"], rows["alice.py"]["total"]) == ("pass", "5")
    assert rows["bob.py"]["verdict"] == "fail" and rows["bob.py"]["right_file"] == "0"
    assert rows["carol.py"]["total"] == "0" and rows["dave.ipynb"]["total"] == "0"
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    bob = json.loads((tmp_path / "out" / "reports" / "bob.py.json").read_text())
    assert bob["points"]["right_file"] == 0 and bob["learner"] == "bob"


def test_a_notebook_names_the_cell_and_its_line(tmp_path):
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": "# My model"},
        {"cell_type": "code", "execution_count": 4, "metadata": {}, "outputs": [],
         "source": "import keras\n%matplotlib inline\n"},
        {"cell_type": "code", "execution_count": 9, "metadata": {}, "outputs": [],
         "source": "def build_model():\n    sizes = {'hidden': 8}\n"
                   "    return keras.Sequential([keras.layers.Dense(sizes['hiden'])])\n"},
        {"cell_type": "code", "execution_count": 10, "metadata": {}, "outputs": [],
         "source": "def save(model, optimizer, directory):\n    pass\n\n\n"
                   "def restore(directory):\n    return build_model()\n"}]
    notebook = tmp_path / "learner.ipynb"
    notebook.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                    "nbformat_minor": 5}))
    result = run("check", str(notebook), "--json")
    finding = json.loads(result.stdout)["findings"][0]
    assert finding["evidence"]["in your code"] == "cell [9], line 3"
    assert "learner.py" not in json.dumps(finding)
