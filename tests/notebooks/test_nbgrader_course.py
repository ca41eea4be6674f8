"""Real nbgrader on every exercise, as an instructor runs it, in one course directory.

`ckptlab nbgrader-course` writes the source notebooks; nbgrader's own commands do the
rest: generate_assignment (the release keeps the starter code), autograde of three
learners in one run (the untouched release, a known-wrong variant, the reference
solution), validate on a few of those, and export. Scores are read from nbgrader's
gradebook, as its formgrader would show them.

Every exercise is released; `make test` autogrades a representative few (an Estimator
exercise with partial credit, one with a failing spec, a TF2/Keras one); CI (.ci/run) and
`make nbgrader-course` set CKPTLAB_NBGRADER=all and autograde every exercise.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ckptlab.classroom.nbgrader_course import CODE_STUB
from ckptlab.exercises import EXERCISES
from ckptlab.exercises.answers import starter_source
from tests.helpers.nbgrader_variants import NBGRADER_WRONG
from tests.helpers.notebooks import REPO

pytest.importorskip("nbgrader")
pytestmark = pytest.mark.timeout(3600)

SUBMISSIONS = REPO / "tests" / "submissions"
ASSIGNMENT = "ckptlab"
WRONG = {exercise: variant for exercise, (variant, _) in NBGRADER_WRONG.items()}
# the validate tests below use two of these
REPRESENTATIVE = ("estimator-training-state", "estimator-spec-per-mode", "keras-weights-files")
GRADED = tuple(WRONG) if os.environ.get("CKPTLAB_NBGRADER") == "all" else REPRESENTATIVE


def nbgrader(course: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    bin_dir = str(Path(sys.executable).parent)  # nbgrader calls `alembic` from PATH
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
           "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=3000)
    if check:
        assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    return done


def answer_cell(document: dict) -> dict:
    (cell,) = [c for c in document["cells"] if c["metadata"]["nbgrader"].get("solution")]
    return cell


def check_cell(document: dict) -> dict:
    (cell,) = [c for c in document["cells"] if c["metadata"]["nbgrader"].get("grade")]
    return cell


def submit(course: Path, student: str, notebook: str, answer: str | None) -> None:
    """A learner's submission as nbgrader collects it (submitted/<student>/<assignment>/)."""
    release = course / "release" / ASSIGNMENT / f"{notebook}.ipynb"
    document = json.loads(release.read_text())
    if answer is not None:
        answer_cell(document)["source"] = answer
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{notebook}.ipynb").write_text(json.dumps(document))


def python_code(path: Path) -> str:
    return path.read_text().split('"""', 2)[-1].lstrip("\n")  # without the docstring


# (student, exercise) whose submitted notebook `nbgrader validate` checks
VALIDATED = (("solution", "keras-weights-files"), ("wrong", "keras-weights-files"),
             ("starter", "estimator-spec-per-mode"))


def validate(course: Path, student: str, exercise_id: str) -> subprocess.CompletedProcess:
    """`nbgrader validate` on a copy of the submitted notebook, as the learner runs it on
    their own file before submitting (a copy: it runs while autograde reads submitted/)."""
    name = f"{EXERCISES[exercise_id].notebook}.ipynb"
    copy = course / "validating" / student / name
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(course / "submitted" / student / ASSIGNMENT / name, copy)
    return nbgrader(course, "validate", str(copy), check=False)


@pytest.fixture(scope="module")
def course_and_validations(tmp_path_factory) -> tuple[Path, dict]:
    course = tmp_path_factory.mktemp("course")
    done = subprocess.run([sys.executable, "-m", "ckptlab", "nbgrader-course", str(course),
                           "--assignment", ASSIGNMENT], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    for exercise_id in GRADED:  # the others are missing from every submission: 0 points
        notebook, folder = EXERCISES[exercise_id].notebook, SUBMISSIONS / exercise_id
        submit(course, "starter", notebook, None)
        submit(course, "wrong", notebook, python_code(folder / WRONG[exercise_id]))
        submit(course, "solution", notebook, python_code(folder / "solution.py"))
    # validate needs only the submissions: it runs beside autograde (one notebook at a
    # time), on the cores autograde leaves idle while its kernels start and wait
    with ThreadPoolExecutor(len(VALIDATED)) as pool:
        validating = {case: pool.submit(validate, course, *case) for case in VALIDATED}
        nbgrader(course, "autograde", ASSIGNMENT, "--force")
        return course, {case: future.result() for case, future in validating.items()}


@pytest.fixture(scope="module")
def course(course_and_validations) -> Path:
    return course_and_validations[0]


def test_every_exercise_is_in_the_course():
    assert set(WRONG) == set(EXERCISES)


def test_release_keeps_the_starter_code_and_hides_the_solution(course):
    for exercise in EXERCISES.values():
        source = json.loads((course / "source" / ASSIGNMENT / f"{exercise.notebook}.ipynb")
                            .read_text())
        assert "### BEGIN SOLUTION" in "".join(answer_cell(source)["source"])
        released = json.loads((course / "release" / ASSIGNMENT / f"{exercise.notebook}.ipynb")
                              .read_text())
        answer = "".join(answer_cell(released)["source"])
        assert answer == starter_source(exercise.notebook).rstrip("\n") + "\n" + CODE_STUB
        assert "SOLUTION" not in json.dumps(released)
        assert "".join(check_cell(released)["source"]).rstrip().endswith(
            "report.points  # nbgrader records this number as the points of this cell")


@pytest.fixture(scope="module")
def sandbox_points() -> dict[str, int]:
    """What `ckptlab grade`'s sandbox gives each wrong variant (tests/tf/
    test_check_exercises.py checks it does): nbgrader must agree."""
    return {exercise: NBGRADER_WRONG[exercise][1] for exercise in GRADED}


def test_autograde_scores_starter_wrong_and_solution(course, sandbox_points):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for exercise_id in GRADED:
            exercise = EXERCISES[exercise_id]
            score = {student: gradebook.find_submission_notebook(
                exercise.notebook, ASSIGNMENT, student).score
                for student in ("starter", "wrong", "solution")}
            assert score == {"starter": 0, "wrong": sandbox_points[exercise_id],
                             "solution": exercise.total}, exercise_id
            assert sandbox_points[exercise_id] < exercise.total


def test_graded_cells_have_no_stderr_and_show_the_report(course):
    for student in ("starter", "wrong", "solution"):
        for exercise in map(EXERCISES.get, GRADED):
            path = course / "autograded" / student / ASSIGNMENT / f"{exercise.notebook}.ipynb"
            cell = check_cell(json.loads(path.read_text()))
            kinds = [(o["output_type"], o.get("name")) for o in cell["outputs"]]
            assert ("stream", "stderr") not in kinds and ("error", None) not in kinds, (
                student, exercise.id, cell["outputs"])
            shown = "".join("".join(o.get("data", {}).get("text/plain", ""))
                            for o in cell["outputs"] if o["output_type"] == "display_data")
            assert f"exercise {exercise.id}" in shown
            if student == "starter":
                assert "not answered" in shown


@pytest.mark.parametrize(("student", "exercise_id"), VALIDATED)
def test_validate_agrees_with_autograde(course_and_validations, student, exercise_id):
    done = course_and_validations[1][student, exercise_id]
    if student == "solution":
        assert "Success! Your notebook passes all the tests." in done.stdout, done.stdout
    else:
        assert "VALIDATION FAILED" in done.stdout, done.stdout


def test_export_writes_the_gradebook_csv(course, sandbox_points):
    nbgrader(course, "export")
    with (course / "grades.csv").open() as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    graded = sum(EXERCISES[e].total for e in GRADED)
    assert set(rows) == {"starter", "wrong", "solution"}
    assert {s: float(r["score"]) for s, r in rows.items()} == {
        "starter": 0.0, "wrong": float(sum(sandbox_points.values())),
        "solution": float(graded)}
    total = sum(e.total for e in EXERCISES.values())  # every released notebook counts
    assert all(float(r["max_score"]) == total for r in rows.values())
