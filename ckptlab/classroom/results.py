"""The results of `ckptlab grade`: one versioned record per input file.

Schema `ckptlab.grade/1` (stable: fields are only ever added, never renamed or removed):

    schema      "ckptlab.grade/1"
    learner     learner id (nbgrader's student folder, else the file name's stem)
    assignment  nbgrader's assignment folder, '' for a flat folder
    file        the file's path below the submissions folder ('/'-separated, unique)
    exercise    the exercise id
    state       "graded"          the code ran and was judged (points may be 0)
                "not_answered"    the starter code, unchanged, or none of the names asked for
                "could_not_check" the check itself could not finish (time-out, crash, ...)
    verdict     the checker's verdict: pass, fail, error or not_answered
    points      {check name: points}, in the exercise's order
    total, max  points earned and possible
    codes       finding codes of the errors, in order, without repeats
    report      the full check report (findings with what happened, why, how to fix)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ckptlab.checker.findings import VERDICT_ERROR, VERDICT_NOT_ANSWERED
from ckptlab.checker.grade import GradeRow
from ckptlab.classroom.learners import Submission
from ckptlab.exercises import Exercise

__all__ = ["SCHEMA", "STATES", "GradeRecord", "failed", "record_for"]

SCHEMA = "ckptlab.grade/1"
GRADED, NOT_ANSWERED, COULD_NOT_CHECK = "graded", "not_answered", "could_not_check"
STATES = (GRADED, NOT_ANSWERED, COULD_NOT_CHECK)


@dataclass(frozen=True)
class GradeRecord:
    learner: str
    assignment: str
    file: str
    exercise: str
    state: str
    verdict: str
    points: dict[str, int]
    maximum: int
    codes: tuple[str, ...] = ()
    report: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.points.values())

    @property
    def report_name(self) -> str:
        """Where its JSON report goes below the output folder: one per input file."""
        return f"reports/{self.file}.json"

    def to_dict(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "learner": self.learner, "assignment": self.assignment,
                "file": self.file, "exercise": self.exercise, "state": self.state,
                "verdict": self.verdict, "points": dict(self.points), "total": self.total,
                "max": self.maximum, "codes": list(self.codes), "report": self.report}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GradeRecord:
        if data.get("schema") != SCHEMA:
            raise ValueError(f"not a {SCHEMA} record: schema {data.get('schema')!r}")
        return cls(data["learner"], data["assignment"], data["file"], data["exercise"],
                   data["state"], data["verdict"], dict(data["points"]), data["max"],
                   tuple(data["codes"]), data.get("report", {}))


def _state(verdict: str) -> str:
    return {VERDICT_NOT_ANSWERED: NOT_ANSWERED, VERDICT_ERROR: COULD_NOT_CHECK}.get(
        verdict, GRADED)


def failed(submission: Submission, exercise: Exercise, why: str) -> tuple[GradeRow, dict]:
    """The outcome of a submission whose check never came back (e.g. a lost Dask worker),
    in the shape grade_submission returns."""
    points = {case.name: 0 for case in exercise.cases}
    data = {"verdict": VERDICT_ERROR, "subject": submission.path.name,
            "exercise": exercise.id, "findings": [], "notes": [why], "points": points}
    return GradeRow(submission.path.name, VERDICT_ERROR, points, ("CHECK_INTERNAL_ERROR",)), data


def record_for(submission: Submission, exercise: Exercise, row: GradeRow,
               data: dict[str, Any]) -> GradeRecord:
    """The record of one file from what grade_submission returned for it."""
    return GradeRecord(submission.learner, submission.assignment, submission.relative,
                       exercise.id, _state(row.verdict), row.verdict,
                       {case.name: row.points.get(case.name, 0) for case in exercise.cases},
                       exercise.total, tuple(row.codes), data)
