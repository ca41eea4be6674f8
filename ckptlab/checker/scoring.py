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
        points = {case.name: 0 for case in exercise.cases}
    else:
        points = points_for(exercise, report.verdict, report.codes("error", symptoms=True),
                            broken_stages(report.findings), report.unjudged)
    withheld = [case.name for case in exercise.cases if points.get(case.name) == 0
                and set(case.fails_on) & set(report.unjudged)
                and points_for(exercise, report.verdict, report.codes("error", symptoms=True),
                               broken_stages(report.findings)).get(case.name)]
    notes = tuple(f"check '{name}' earns no points: what it rests on "
                  f"({', '.join(sorted(set(report.unjudged)))}) could not be judged"
                  for name in withheld)
    return dataclasses.replace(report, case_points=points, notes=(*report.notes, *notes))
