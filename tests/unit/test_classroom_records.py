"""Grading records without running anything: which files, whose, answered or not, and
what each export file says (results.json, grades.csv, gradebook.csv, Gradescope)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from ckptlab.checker.findings import Report
from ckptlab.checker.grade import GradeRow
from ckptlab.checker.scoring import scored
from ckptlab.classroom.exports import write_all
from ckptlab.classroom.learners import Submission, collect_submissions, learner_of
from ckptlab.classroom.results import SCHEMA, GradeRecord, failed, record_for
from ckptlab.exercises import EXERCISES, get_exercise
from ckptlab.exercises.answers import answered_objects, answered_source, starter_source

REPO = Path(__file__).resolve().parents[2]
EXERCISE = get_exercise("keras-weights-files")


@pytest.mark.parametrize(("relative", "expected"), [
    ("alice.ipynb", ("alice", "")),
    ("bob.py", ("bob", "")),
    ("carol/answer.py", ("carol", "")),
    ("submitted/dave/ps3/08_keras_weights_and_formats.ipynb", ("dave", "ps3")),
    ("course/submitted/erin/week 2/x.ipynb", ("erin", "week 2")),
])
def test_learner_id_from_the_path(relative, expected):
    assert learner_of(Path(relative)) == expected


def test_collect_reads_nbgrader_layout_and_picks_the_exercise_notebook(tmp_path):
    for relative in ("submitted/alice/ps/08_keras_weights_and_formats.ipynb",
                     "submitted/alice/ps/03_model_fn_and_modes.ipynb",
                     "submitted/bob/ps/08_keras_weights_and_formats.ipynb",
                     "submitted/bob/ps/.ipynb_checkpoints/08_keras_weights_and_formats.ipynb",
                     "submitted/bob/ps/timestamp.txt"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("{}")
    found = collect_submissions(tmp_path, EXERCISE.notebook)
    assert [(s.learner, s.assignment, s.relative) for s in found] == [
        ("alice", "ps", "submitted/alice/ps/08_keras_weights_and_formats.ipynb"),
        ("bob", "ps", "submitted/bob/ps/08_keras_weights_and_formats.ipynb")]
    inside = collect_submissions(tmp_path / "submitted", EXERCISE.notebook)
    assert [(s.learner, s.assignment, s.relative) for s in inside] == [
        ("alice", "ps", "alice/ps/08_keras_weights_and_formats.ipynb"),
        ("bob", "ps", "bob/ps/08_keras_weights_and_formats.ipynb")]


def test_same_stem_gives_two_files_and_two_reports(tmp_path):
    (tmp_path / "empty.py").write_text("")
    (tmp_path / "empty.ipynb").write_text("{}")
    found = collect_submissions(tmp_path, EXERCISE.notebook)
    records = [_record(s.learner, s.relative, Report("unknown", s.path.name,
                                                     exercise=EXERCISE.id, answered=False))
               for s in found]
    assert [r.report_name for r in records] == ["reports/empty.ipynb.json",
                                                "reports/empty.py.json"]


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_starter_is_not_answered_and_the_solution_is(exercise_id):
    exercise = EXERCISES[exercise_id]
    starter = starter_source(exercise.notebook)
    assert starter and not answered_source(starter, exercise.notebook, exercise.defines)
    stubbed = starter + "\n# YOUR CODE HERE\nraise NotImplementedError()\n"  # nbgrader's stub
    assert not answered_source(stubbed, exercise.notebook, exercise.defines)
    assert not answered_source("", exercise.notebook, exercise.defines)
    assert not answered_source("import os\n", exercise.notebook, exercise.defines)
    solution = (REPO / "tests" / "submissions" / exercise_id / "solution.py").read_text()
    assert answered_source(solution, exercise.notebook, exercise.defines)
    # a comment alone is no answer; one changed line is
    assert not answered_source("# I tried\n" + starter, exercise.notebook, exercise.defines)
    changed = starter.replace("return ", "return None or ", 1)
    assert changed != starter and answered_source(changed, exercise.notebook, exercise.defines)


def test_live_objects_compare_like_sources(tmp_path):
    exercise = get_exercise("estimator-checkpoint-config")
    starter = starter_source(exercise.notebook)
    module = tmp_path / "starter_module.py"
    module.write_text("tf = None\n" + starter)
    namespace: dict = {}
    exec(compile(module.read_text(), str(module), "exec"), namespace)
    given = {name: namespace[name] for name in exercise.defines}
    assert not answered_objects(given, exercise.notebook, exercise.defines)
    changed = {**given, "CONFIG": {**given["CONFIG"], "save_checkpoints_steps": 10}}
    assert answered_objects(changed, exercise.notebook, exercise.defines)


def _record(learner: str, file: str, report: Report | None) -> GradeRecord:
    """A record as grading makes it (grade_submission's row and report; None: it broke)."""
    submission = Submission(Path(file), file, learner)
    if report is None:
        return record_for(submission, EXERCISE, *failed(submission, EXERCISE, "it broke"))
    report = scored(report)
    row = GradeRow(file, report.verdict, report.case_points, tuple(report.codes("error")))
    return record_for(submission, EXERCISE, row, report.to_dict())


def test_states_points_and_every_export(tmp_path):
    passed = Report("tf2", "alice.py", exercise=EXERCISE.id)
    unanswered = Report("tf2", "bob.ipynb", exercise=EXERCISE.id, answered=False,
                        notes=("not answered",))
    records = [_record("alice", "alice.py", passed), _record("bob", "bob.ipynb", unanswered),
               _record("carol", "carol.py", None)]
    assert [r.state for r in records] == ["graded", "not_answered", "could_not_check"]
    assert [r.total for r in records] == [EXERCISE.total, 0, 0]
    assert GradeRecord.from_dict(records[1].to_dict()) == records[1]
    write_all(tmp_path, records, EXERCISE)

    results = json.loads((tmp_path / "results.json").read_text())
    assert results["schema"] == SCHEMA and len(results["records"]) == 3
    assert results["records"][1]["state"] == "not_answered"
    assert json.loads((tmp_path / "reports/bob.ipynb.json").read_text())["learner"] == "bob"

    with (tmp_path / "grades.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["learner"], r["state"], r["total"]) for r in rows] == [
        ("alice", "graded", str(EXERCISE.total)), ("bob", "not_answered", "0"),
        ("carol", "could_not_check", "0")]
    assert rows[2]["codes"] == "CHECK_INTERNAL_ERROR"

    with (tmp_path / "gradebook.csv").open() as handle:
        book = list(csv.reader(handle))
    assert book[0] == ["learner_id", EXERCISE.id, "max_points", "state"]
    assert book[1] == ["alice", str(EXERCISE.total), str(EXERCISE.total), "graded"]

    scope = json.loads((tmp_path / "gradescope/alice.py/results.json").read_text())
    assert scope["score"] == EXERCISE.total
    assert sum(t["max_score"] for t in scope["tests"]) == EXERCISE.total
    assert all(t["status"] == "passed" for t in scope["tests"])
    bob = json.loads((tmp_path / "gradescope/bob.ipynb/results.json").read_text())
    assert bob["score"] == 0 and bob["extra_data"]["state"] == "not_answered"
    assert "not answered" in bob["output"]


def test_gradebook_keeps_each_learners_best_file(tmp_path):
    records = [_record("alice", "alice.py", Report("tf2", "alice.py", exercise=EXERCISE.id,
                                                   answered=False)),
               _record("alice", "alice.ipynb", Report("tf2", "a", exercise=EXERCISE.id))]
    write_all(tmp_path, records, EXERCISE)
    with (tmp_path / "gradebook.csv").open() as handle:
        assert list(csv.reader(handle))[1:] == [
            ["alice", str(EXERCISE.total), str(EXERCISE.total), "graded"]]
