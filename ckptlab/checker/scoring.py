"""Points for a report checked against an exercise: the one place that applies the rule."""

from __future__ import annotations

import dataclasses

from ckptlab.checker.findings import Report
from ckptlab.exercises import EXERCISES, points_for
from ckptlab.exercises.spec import broken_stages

__all__ = ["scored"]


def scored(report: Report) -> Report:
    """The report with its points per check filled in (all 0 when not answered)."""
    exercise = EXERCISES.get(report.exercise)
    if exercise is None:
        return report
    if not report.answered:
        return dataclasses.replace(report, case_points={c.name: 0 for c in exercise.cases})
    codes, broken = report.codes("error", symptoms=True), broken_stages(report.findings)
    points = points_for(exercise, report.verdict, codes, broken, report.unjudged)
    with_evidence = points_for(exercise, report.verdict, codes, broken)  # had it been judged
    notes = [f"check '{case.name}' earns no points: it rests on "
             f"{', '.join(sorted(set(case.fails_on) & set(report.unjudged)))}, which this run "
             "could not judge (see why above); points come only from evidence the checker "
             "verified" for case in exercise.cases
             if with_evidence.get(case.name) and not points.get(case.name)]
    return dataclasses.replace(report, case_points=points,
                               notes=tuple(dict.fromkeys([*report.notes, *notes])))
