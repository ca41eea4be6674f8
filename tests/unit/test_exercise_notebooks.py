"""Every exercise has a notebook, a reference solution and wrong variants; the notebooks
follow nbgrader's cell conventions and are read by the grader as the learner's code."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from ckptlab.checker.submission import SKIP_TAG, detect_track, read_source
from ckptlab.exercises import EXERCISES

REPO = Path(__file__).resolve().parents[2]
SUBMISSIONS = REPO / "tests" / "submissions"
TUTORIALS = {p.stem for p in (REPO / "tutorials").glob("*.ipynb")}
IDS = sorted(EXERCISES)


def notebook_of(exercise_id: str) -> Path:
    return REPO / "exercises" / f"{EXERCISES[exercise_id].notebook}.ipynb"


def cells_of(exercise_id: str) -> list[dict]:
    return json.loads(notebook_of(exercise_id).read_text())["cells"]


def nbgrader(cell: dict) -> dict:
    return cell["metadata"].get("nbgrader", {})


@pytest.mark.parametrize("exercise_id", IDS)
def test_exercise_has_notebook_solution_and_two_wrong_variants(exercise_id):
    assert notebook_of(exercise_id).is_file()
    folder = SUBMISSIONS / exercise_id
    assert (folder / "solution.py").is_file()
    assert len(list(folder.glob("wrong_*.py"))) >= 2


@pytest.mark.parametrize("exercise_id", IDS)
def test_spec_has_a_brief_progressive_hints_and_points(exercise_id):
    exercise = EXERCISES[exercise_id]
    assert exercise.summary and 2 <= len(exercise.hints) <= 3
    assert len(set(exercise.hints)) == len(exercise.hints)
    assert all(case.points > 0 and case.fails_on for case in exercise.cases)
    assert len({case.name for case in exercise.cases}) == len(exercise.cases)
    assert exercise.notebook.removesuffix("_b") in TUTORIALS  # its tutorial exists


def test_notebook_names_follow_tutorials_and_are_unique():
    names = [e.notebook for e in EXERCISES.values()]
    assert len(names) == len(set(names))
    assert {p.stem for p in (REPO / "exercises").glob("*.ipynb")} == set(names)
    for name in names:  # a suffixed notebook (_b) comes with the unsuffixed one
        assert name.removesuffix("_b") in names


@pytest.mark.parametrize("exercise_id", IDS)
def test_nbgrader_metadata_is_valid(exercise_id):
    cells = cells_of(exercise_id)
    metas = [nbgrader(c) for c in cells]
    assert all(m.get("schema_version") == 3 and m.get("grade_id") for m in metas)
    ids = [m["grade_id"] for m in metas]
    assert len(ids) == len(set(ids))
    answers = [c for c in cells if nbgrader(c)["solution"]]
    assert len(answers) == 1 and answers[0]["cell_type"] == "code"
    assert nbgrader(answers[0]) == {**nbgrader(answers[0]), "grade": False, "locked": False}
    assert "BEGIN SOLUTION" not in "".join(answers[0]["source"])
    checks = [c for c in cells if nbgrader(c)["grade"]]
    assert len(checks) == 1
    check = nbgrader(checks[0])
    assert check["locked"] and not check["solution"]
    assert check["points"] == EXERCISES[exercise_id].total
    source = "".join(checks[0]["source"])
    assert f'ckptlab.check("{exercise_id}"' in source
    # nbgrader reads the points from the cell's result: the report is displayed above it
    assert source.splitlines()[-2:] == [
        "display(report)",
        "report.points  # nbgrader records this number as the points of this cell"]
    others = [c for c in cells if c is not answers[0]]
    assert all(nbgrader(c)["locked"] for c in others)  # everything but the answer is locked


@pytest.mark.parametrize("exercise_id", IDS)
def test_stub_defines_what_the_exercise_needs(exercise_id):
    exercise = EXERCISES[exercise_id]
    answer = next(c for c in cells_of(exercise_id) if nbgrader(c)["solution"])
    tree = ast.parse("".join(answer["source"]))
    defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    defined |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
                if isinstance(t, ast.Name)}
    assert set(exercise.defines) <= defined
    hints = [c for c in cells_of(exercise_id) if f'Hints("{exercise_id}")' in "".join(c["source"])]
    assert len(hints) == 1 and SKIP_TAG in hints[0]["metadata"]["tags"]


@pytest.mark.parametrize("exercise_id", IDS)
def test_grader_reads_the_answer_but_not_the_check_or_hints(exercise_id):
    source = read_source(notebook_of(exercise_id))
    assert "ckptlab.check(" not in source and "ckptlab.Hints(" not in source
    assert detect_track(source) == EXERCISES[exercise_id].track
    ast.parse(source)
