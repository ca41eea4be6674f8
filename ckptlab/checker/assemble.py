"""Observations (from a runner, maybe partial) plus checker events become a Report."""

from __future__ import annotations

from ckptlab.checker.codes import make_finding
from ckptlab.checker.explain import diagnose
from ckptlab.checker.findings import Finding, Report

__all__ = ["build_report", "could_not_run", "crashed", "timed_out"]


def _last_stage(obs: dict) -> str:
    stages = obs.get("stages") or []
    return stages[-1] if stages else "(none: it stopped while loading your code)"


def timed_out(obs: dict, seconds: float) -> Finding:
    return make_finding(
        "TIMEOUT",
        f"The check was stopped after {seconds:g} s. Last stage that finished: "
        f"{_last_stage(obs)}.",
        "Make sure training stops: give train() a finite input (no endless repeat() while "
        "global_step does not advance) and remove loops that never end; or allow more time "
        "with --timeout.",
        {"time limit (s)": seconds, "stages finished": obs.get("stages", [])})


def crashed(obs: dict, cause: str, output_tail: str = "") -> Finding:
    evidence = {"cause": cause, "stages finished": obs.get("stages", [])}
    if output_tail:
        evidence["last output"] = output_tail
    return make_finding(
        "CRASHED",
        f"The process running your code ended without a result ({cause}). Last stage that "
        f"finished: {_last_stage(obs)}.",
        "Remove os._exit()/sys.exit() calls and very large allocations from your code; run "
        "your functions in a cell to see where the process dies.", evidence)


def could_not_run(what: str, fix: str, evidence: dict | None = None) -> Finding:
    return make_finding("CHECK_INTERNAL_ERROR", what, fix, evidence)


def build_report(obs: dict, subject: str, extra: list[Finding] | tuple = (),
                 exercise: str = "", notes: tuple[str, ...] = ()) -> Report:
    try:
        findings, diagnoser_notes = diagnose(obs)
    except Exception as error:  # the registry itself failed: the check could not run
        findings, diagnoser_notes = [could_not_run(
            f"The diagnosers could not run ({type(error).__name__}: {error}).",
            "Report this to the ckptlab maintainers with the submission.")], []
    if exercise:
        from ckptlab.exercises import EXERCISES

        if exercise in EXERCISES:  # links and fixes written for this exercise's starter
            findings = [EXERCISES[exercise].for_exercise(f) for f in findings]
    return Report(obs.get("track", "unknown"), subject, tuple([*extra, *findings]),
                  dict(obs.get("timings", {})), tuple(obs.get("stages", [])), exercise,
                  tuple([*notes, *diagnoser_notes]))
