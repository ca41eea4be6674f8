"""Write grade records where instructors need them: JSON, CSVs, an LMS, Gradescope.

Files written below the output folder by `write_all`:
- results.json      every record (schema ckptlab.grade/1) in one document
- reports/<file>.json  one record per input file, with its full report
- grades.csv        one row per input file: learner, file, state, points per check, codes
- gradebook.csv     one row per learner, for an LMS import: `learner_id` and the points
                    (Moodle: map learner_id to the username; Canvas: see docs/instructors.md)
- gradescope/<file>/results.json  Gradescope's autograder format, one per input file
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from ckptlab.checker.findings import Finding
from ckptlab.classroom.results import GRADED, SCHEMA, GradeRecord
from ckptlab.exercises import Exercise
from ckptlab.render.report import finding_text

__all__ = ["gradebook_rows", "gradescope_results", "write_all"]


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def gradebook_rows(records: list[GradeRecord]) -> list[GradeRecord]:
    """One record per learner: the best-scoring of their files (ties: the first by path)."""
    best: dict[str, GradeRecord] = {}
    for record in records:
        kept = best.get(record.learner)
        if kept is None or record.total > kept.total:
            best[record.learner] = record
    return [best[learner] for learner in sorted(best)]


def _feedback(record: GradeRecord) -> str:
    findings = [Finding.from_dict(f) for f in record.report.get("findings", [])]
    if record.state != GRADED:
        notes = record.report.get("notes") or [record.state.replace("_", " ")]
        return "\n".join(notes)
    return "\n\n".join(finding_text(f) for f in findings) or "No problem found."


def gradescope_results(record: GradeRecord, exercise: Exercise) -> dict[str, Any]:
    """Gradescope's results.json: total score, one test per check, feedback as output."""
    tests = [{"name": f"{case.name}: {case.description}", "score": record.points[case.name],
              "max_score": case.points, "status": "passed"
              if record.points[case.name] == case.points else "failed"}
             for case in exercise.cases]
    return {"score": record.total, "output": _feedback(record), "tests": tests,
            "extra_data": {"schema": SCHEMA, "state": record.state, "codes": list(record.codes)}}


def write_all(out: Path, records: list[GradeRecord], exercise: Exercise) -> None:
    out.mkdir(parents=True, exist_ok=True)
    _write_json(out / "results.json", {"schema": SCHEMA, "exercise": exercise.id,
                                       "max": exercise.total,
                                       "records": [r.to_dict() for r in records]})
    names = [case.name for case in exercise.cases]
    for record in records:
        _write_json(out / record.report_name, record.to_dict())
        _write_json(out / "gradescope" / record.file / "results.json",
                    gradescope_results(record, exercise))
    with (out / "grades.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["learner", "assignment", "file", "state", "verdict", *names,
                         "total", "max", "codes"])
        for r in records:
            writer.writerow([r.learner, r.assignment, r.file, r.state, r.verdict,
                             *(r.points[n] for n in names), r.total, r.maximum,
                             " ".join(r.codes)])
    with (out / "gradebook.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["learner_id", exercise.id, "max_points", "state"])
        for r in gradebook_rows(records):
            writer.writerow([r.learner, r.total, r.maximum, r.state])
