"""Exercise specs shipped with the package: ids, what to define, checks worth points.

Checks are data: each `Case` names the finding codes that make it fail. The reference
solutions are not shipped (tests keep them under tests/submissions/<id>/); each exercise
has a notebook, exercises/<notebook>.ipynb, named after the tutorial it practises.
"""

from __future__ import annotations

from ckptlab.errors import UsageError
from ckptlab.exercises.catalog_estimator import ESTIMATOR_EXERCISES
from ckptlab.exercises.catalog_tf2 import TF2_EXERCISES
from ckptlab.exercises.spec import RUNS, Case, Exercise, points_for

__all__ = ["EXERCISES", "RUNS", "Case", "Exercise", "get_exercise", "points_for"]

EXERCISES: dict[str, Exercise] = {e.id: e for e in (*ESTIMATOR_EXERCISES, *TF2_EXERCISES)}


def get_exercise(exercise_id: str) -> Exercise:
    try:
        return EXERCISES[exercise_id]
    except KeyError:
        raise UsageError(f"No exercise with id {exercise_id!r}.",
                         fix=f"Use one of: {', '.join(sorted(EXERCISES))}.",
                         received=exercise_id) from None
