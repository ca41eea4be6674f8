"""What an exercise is: checks as data (cases worth points), a brief, progressive hints."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RUNS", "Case", "Exercise", "points_for", "runs_case"]

# findings that mean the code did not run through: no case can be judged
RUNS = ("LEARNER_EXCEPTION", "TIMEOUT", "CRASHED", "SPEC_MISSING_FIELD", "MODEL_FN_SIGNATURE")


@dataclass(frozen=True)
class Case:
    name: str  # a CSV column: short, no spaces
    points: int
    fails_on: tuple[str, ...]  # finding codes (error severity) that make this case fail
    description: str


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    track: str  # "estimator" or "tf2"
    defines: tuple[str, ...]  # names the learner must define
    cases: tuple[Case, ...]
    summary: str  # the brief, one or two sentences
    notebook: str = ""  # exercises/<notebook>.ipynb, named after the tutorial it practises
    hints: tuple[str, ...] = ()  # progressive: each says more, none gives the whole answer

    @property
    def total(self) -> int:
        return sum(case.points for case in self.cases)


def runs_case(points: int = 1) -> Case:
    return Case("runs", points, RUNS, "the code runs through every stage without an exception")


def points_for(exercise: Exercise, verdict: str, error_codes: list[str]) -> dict[str, int]:
    """Points per case. Nothing is earned when the check could not judge ('error') or the
    code did not run through (an exception no case explains): what never ran is not right."""
    if verdict == "error" or set(RUNS) & set(error_codes):
        return {case.name: 0 for case in exercise.cases}
    return {case.name: 0 if set(case.fails_on) & set(error_codes) else case.points
            for case in exercise.cases}
