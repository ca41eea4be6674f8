"""Grade a folder of submissions in parallel: one JSON report each and a CSV of points.

Each submission runs in its own sandbox (check_file): it sees neither the other
submissions nor the output folder, cannot signal this process, and every process it
starts is killed when its check ends. The pool only waits on sandboxes, so threads are
enough. A submission that breaks anything, even the checker, becomes a row with zero
points: grading never stops on one bad file. Reports are keyed by the whole file name
(a.py -> a.py.json, a.ipynb -> a.ipynb.json), so no two inputs share one.
"""

from __future__ import annotations

import csv
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ckptlab.checker.sandbox import Limits, check_file, require_sandbox
from ckptlab.errors import UsageError
from ckptlab.exercises import Exercise, get_exercise, points_for
from ckptlab.exercises.spec import broken_stages

__all__ = ["GradeRow", "grade_folder", "grade_submission", "report_name"]

SUFFIXES = (".py", ".ipynb")


@dataclass(frozen=True)
class GradeRow:
    submission: str
    verdict: str
    points: dict[str, int]
    codes: tuple[str, ...]

    @property
    def total(self) -> int:
        return sum(self.points.values())


def report_name(path: Path) -> str:
    """The report file of a submission: unique per input file name."""
    return f"{path.name}.json"


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


def _grade_one(path: Path, exercise: Exercise, out: Path, limits: Limits) -> GradeRow:
    row, data = grade_submission(path, exercise, limits)
    (out / report_name(path)).write_text(json.dumps(data, indent=1), encoding="utf-8")
    return row


def grade_folder(folder: str | Path, exercise_id: str, out: str | Path, workers: int = 0,
                 limits: Limits | None = None, require_isolation: bool = False
                 ) -> list[GradeRow]:
    """Grade every .py/.ipynb file of `folder`; `require_isolation` refuses to grade when
    checks here would run unisolated (no bubblewrap)."""
    folder, out, limits = Path(folder), Path(out), limits or Limits()
    if require_isolation:
        require_sandbox()
    exercise = get_exercise(exercise_id)
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder.", fix="Give a folder of .py/.ipynb files.",
                         received=str(folder))
    paths = sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file())
    out.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        rows = list(pool.map(lambda p: _grade_one(p, exercise, out, limits), paths))
    with (out / "grades.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        names = [case.name for case in exercise.cases]
        writer.writerow(["submission", "verdict", *names, "total", "max", "codes"])
        for row in rows:
            writer.writerow([row.submission, row.verdict, *(row.points[n] for n in names),
                             row.total, exercise.total, " ".join(row.codes)])
    return rows
