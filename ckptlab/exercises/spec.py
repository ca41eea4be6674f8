"""What an exercise is: checks as data (cases worth points), a brief, progressive hints."""

from __future__ import annotations

from dataclasses import dataclass

from ckptlab.outcome_codes import DID_NOT_RUN

__all__ = ["EVERY_STAGE", "RUNS", "Case", "Exercise", "broken_stages", "finding_stages",
           "points_for", "runs_case"]

# findings that mean the code did not run through a stage: what that stage would have
# shown cannot be judged (ckptlab/outcome_codes.py)
RUNS = DID_NOT_RUN
EVERY_STAGE = "*"  # a case that needs every stage; also: a break whose stage is unknown


@dataclass(frozen=True)
class Case:
    name: str  # a CSV column: short, no spaces
    points: int
    fails_on: tuple[str, ...]  # finding codes (error severity) that make this case fail
    description: str
    # the stages whose evidence this case is judged on: if one of them did not run
    # through, the case earns nothing (what never ran is not right)
    needs: tuple[str, ...] = (EVERY_STAGE,)


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
    # finding code -> the section of the practised tutorial that teaches it
    # ("tutorials/<notebook>.ipynb#<anchor>"), shown instead of the code's general link
    sections: tuple[tuple[str, str], ...] = ()
    # finding code -> a fix written for this exercise's starter code
    fixes: tuple[tuple[str, str], ...] = ()

    def for_exercise(self, finding):
        """`finding` with this exercise's link and fix for its code, where it has them."""
        import dataclasses

        tutorial = dict(self.sections).get(finding.code, finding.tutorial)
        fix = dict(self.fixes).get(finding.code, finding.fix)
        return dataclasses.replace(finding, tutorial=tutorial, fix=fix)

    @property
    def total(self) -> int:
        return sum(case.points for case in self.cases)


def runs_case(points: int = 1) -> Case:
    return Case("runs", points, RUNS, "the code runs through every stage without an exception")


def finding_stages(finding) -> list[str]:
    """The stages a finding's `stage` evidence names, in its order ("train and resume")."""
    stage = str(dict(finding.evidence).get("stage", ""))
    return stage.split(" and ") if stage else []


def broken_stages(findings) -> set[str]:
    """The stages that did not run through, from a report's findings (their `stage`
    evidence, e.g. "train and resume"); EVERY_STAGE for a time-out or a crash."""
    broken: set[str] = set()
    for finding in findings:
        if finding.code not in RUNS or finding.severity != "error":
            continue
        broken.update(finding_stages(finding) or [EVERY_STAGE])
    return broken


def points_for(exercise: Exercise, verdict: str, error_codes: list[str],
               broken: set[str] | None = None, unjudged: tuple[str, ...] = ()
               ) -> dict[str, int]:
    """Points per case, each case judged on its own. Nothing when the check could not
    judge ('error'). A case fails when one of its codes was found, or when a stage it
    needs did not run through (`broken`, see broken_stages; None: unknown, then any
    code of RUNS breaks every stage). A case that fails on a code the check could not
    judge (`unjudged`: its evidence is missing) earns nothing: points need evidence."""
    if verdict == "error":
        return {case.name: 0 for case in exercise.cases}
    if broken is None:
        broken = {EVERY_STAGE} if set(RUNS) & set(error_codes) else set()

    def earned(case: Case) -> bool:
        if set(case.fails_on) & (set(error_codes) | set(unjudged)):
            return False
        needs = set(case.needs)
        return not broken or not (EVERY_STAGE in broken or EVERY_STAGE in needs
                                  or needs & broken)

    return {case.name: case.points if earned(case) else 0 for case in exercise.cases}
