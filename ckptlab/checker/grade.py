"""Grade one submission: its row of points and its JSON report, whatever it does.

The submission runs in its own sandbox (check_file): it sees neither the other
submissions nor the output folder, cannot signal this process, and every process it
starts is killed when its check ends. A submission that breaks anything, even the
checker, becomes a row with zero points, so a batch (ckptlab.classroom.grading, on threads
or Dask) never stops on one bad file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ckptlab.checker.sandbox import Limits, check_file
from ckptlab.exercises import Exercise, get_exercise, points_for
from ckptlab.exercises.spec import broken_stages

__all__ = ["GradeRow", "grade_submission"]


@dataclass(frozen=True)
class GradeRow:
    submission: str
    verdict: str
    points: dict[str, int]
    codes: tuple[str, ...]

    @property
    def total(self) -> int:
        return sum(self.points.values())


def grade_submission(path: str | Path, exercise: Exercise | str,
                     limits: Limits | None = None) -> tuple[GradeRow, dict]:
    """Grade one submission file in its own sandbox: (its row, its JSON report as a dict).

    Never raises for anything the submission does; the report dict has "points".
    """
    path = Path(path)
    exercise = get_exercise(exercise) if isinstance(exercise, str) else exercise
    try:
        report = check_file(path, limits, exercise=exercise.id)
        data = report.to_dict()
        verdict, codes = report.verdict, report.codes("error", symptoms=True)
        broken = broken_stages(report.findings)
        scored_points = report.case_points  # 0 everywhere when not answered
    except Exception as error:  # never stop the batch: record and go on
        verdict, codes, broken = "error", ["CHECK_INTERNAL_ERROR"], None
        scored_points = {}
        data = {"verdict": verdict, "subject": path.name, "exercise": exercise.id,
                "findings": [], "notes": [f"{type(error).__name__}: {error}"]}
    points = scored_points or points_for(exercise, verdict, codes, broken)
    data["points"] = points
    return GradeRow(path.name, verdict, points, tuple(dict.fromkeys(codes))), data
