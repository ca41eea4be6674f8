"""`ckptlab grade` on exercise notebooks in nbgrader's layout (submitted/<student>/<ps>/):
one learner pasted the reference solution, one left the starter code, one submitted an
empty notebook; plus a flat folder where two files share a name. Read from the exports."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ckptlab.exercises import EXERCISES

REPO = Path(__file__).resolve().parents[2]
SUBMISSIONS = REPO / "tests" / "submissions"


def _with_answer(notebook: Path, answer: str) -> dict:
    document = json.loads(notebook.read_text())
    (cell,) = [c for c in document["cells"] if c["metadata"]["nbgrader"]["solution"]]
    cell["source"] = answer.splitlines(keepends=True)
    return document


def grade(folder: Path, exercise_id: str, out: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run([sys.executable, "-m", "ckptlab", "grade", str(folder), "--exercise",
                           exercise_id, "--out", str(out), "--workers", "2", "--engine",
                           "threads"], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def csv_rows(path: Path) -> list[dict]:
    with path.open() as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("exercise_id", ["estimator-spec-per-mode", "keras-weights-files"])
def test_grade_an_nbgrader_course(exercise_id, tmp_path):
    exercise = EXERCISES[exercise_id]
    notebook = REPO / "exercises" / f"{exercise.notebook}.ipynb"
    before = notebook.read_bytes()
    submitted = tmp_path / "course" / "submitted"
    for student in ("alice", "bob", "carol"):
        (submitted / student / "ps").mkdir(parents=True)
    name = f"{exercise.notebook}.ipynb"
    solved = _with_answer(notebook, (SUBMISSIONS / exercise_id / "solution.py").read_text())
    (submitted / "alice" / "ps" / name).write_text(json.dumps(solved))
    (submitted / "bob" / "ps" / name).write_bytes(before)  # the starter, untouched
    (submitted / "carol" / "ps" / name).write_text(json.dumps(_with_answer(notebook, "")))
    (submitted / "alice" / "ps" / "other_exercise.ipynb").write_bytes(before)  # not graded
    out = tmp_path / "graded"
    grade(submitted, exercise_id, out)

    rows = {row["learner"]: row for row in csv_rows(out / "grades.csv")}
    assert set(rows) == {"alice", "bob", "carol"}
    alice, bob, carol = rows["alice"], rows["bob"], rows["carol"]
    assert (alice["state"], alice["verdict"], alice["codes"]) == ("graded", "pass", "")
    assert alice["assignment"] == "ps" and alice["file"] == f"alice/ps/{name}"
    assert int(alice["total"]) == int(alice["max"]) == exercise.total
    for unanswered in (bob, carol):
        assert (unanswered["state"], unanswered["total"], unanswered["codes"]) == (
            "not_answered", "0", "")
    book = {row["learner_id"]: row for row in csv_rows(out / "gradebook.csv")}
    assert {k: int(v[exercise_id]) for k, v in book.items()} == {
        "alice": exercise.total, "bob": 0, "carol": 0}
    results = json.loads((out / "results.json").read_text())
    assert results["schema"] == "ckptlab.grade/1" and len(results["records"]) == 3
    scope = json.loads((out / "gradescope" / "bob" / "ps" / name / "results.json").read_text())
    assert scope["score"] == 0 and "not answered" in scope["output"]
    assert notebook.read_bytes() == before  # the notebooks themselves are never modified


def test_files_sharing_a_name_get_a_report_each(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.py").write_text("")
    (folder / "empty.ipynb").write_text(json.dumps({"cells": [], "metadata": {},
                                                    "nbformat": 4, "nbformat_minor": 5}))
    out = tmp_path / "out"
    grade(folder, "tf2-round-trip", out)
    for name in ("empty.py", "empty.ipynb"):
        record = json.loads((out / "reports" / f"{name}.json").read_text())
        assert (record["file"], record["state"]) == (name, "not_answered")
        assert "CHECK_INTERNAL_ERROR" not in json.dumps(record)
