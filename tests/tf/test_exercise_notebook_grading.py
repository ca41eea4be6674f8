"""`ckptlab grade` on exercise notebooks: one with the reference solution pasted into its
answer cell, one untouched (the stub). Points and verdicts are read from grades.csv."""

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

# exercise -> (codes of the untouched stub, its points per case)
STUB_OUTCOME = {
    "estimator-spec-per-mode": (["MODEL_FN_SIGNATURE"],
                                {"runs": 0, "spec_fields": 0, "signature": 0}),
    "keras-weights-files": (["FORMAT_MISMATCH"],
                            {"runs": 1, "same_format": 0, "values_back": 2}),
}


def _with_answer(notebook: Path, answer: str) -> dict:
    document = json.loads(notebook.read_text())
    (cell,) = [c for c in document["cells"] if c["metadata"]["nbgrader"]["solution"]]
    cell["source"] = answer.splitlines(keepends=True)
    return document


@pytest.mark.parametrize("exercise_id", sorted(STUB_OUTCOME))
def test_grade_a_solved_and_an_untouched_notebook(exercise_id, tmp_path):
    exercise = EXERCISES[exercise_id]
    notebook = REPO / "exercises" / f"{exercise.notebook}.ipynb"
    before = notebook.read_bytes()
    folder, out = tmp_path / "submitted", tmp_path / "graded"
    folder.mkdir()
    solved = _with_answer(notebook, (SUBMISSIONS / exercise_id / "solution.py").read_text())
    (folder / "alice.ipynb").write_text(json.dumps(solved))
    (folder / "bob.ipynb").write_bytes(before)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run([sys.executable, "-m", "ckptlab", "grade", str(folder), "--exercise",
                           exercise_id, "--out", str(out), "--workers", "2"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    with (out / "grades.csv").open() as handle:
        rows = {row["submission"]: row for row in csv.DictReader(handle)}
    cases = [case.name for case in exercise.cases]
    alice, bob = rows["alice.ipynb"], rows["bob.ipynb"]
    assert (alice["verdict"], alice["codes"]) == ("pass", "")
    assert int(alice["total"]) == int(alice["max"]) == exercise.total
    assert {name: int(alice[name]) for name in cases} == {c.name: c.points for c in exercise.cases}
    codes, points = STUB_OUTCOME[exercise_id]
    assert bob["verdict"] == "fail" and bob["codes"].split() == codes
    assert {name: int(bob[name]) for name in cases} == points
    assert int(bob["total"]) == sum(points.values()) < exercise.total
    assert notebook.read_bytes() == before  # the notebooks themselves are never modified
    assert json.loads((out / "bob.ipynb.json").read_text())["exercise"] == exercise_id
