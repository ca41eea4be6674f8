"""Diagnosers: small functions, one concern each, that turn observations into findings.

A diagnoser takes the observations of one run (a JSON dict made by a runner) and yields
Findings. `diagnose` runs every diagnoser of a track; a diagnoser that crashes becomes a
note on the report ("the check could not fully run"), never an error in the learner's cell.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import import_module

from ckptlab.checker.findings import Finding

__all__ = ["DIAGNOSERS", "Diagnoser", "diagnose", "diagnoser"]

Diagnoser = Callable[[dict], Iterable[Finding]]
DIAGNOSERS: list[tuple[tuple[str, ...], Diagnoser]] = []
_MODULES = ("exceptions", "tf2", "tf2_paths", "estimator", "estimator_values")


def diagnoser(*tracks: str) -> Callable[[Diagnoser], Diagnoser]:
    """Register a diagnoser for the given tracks ('tf2', 'estimator')."""

    def register(function: Diagnoser) -> Diagnoser:
        DIAGNOSERS.append((tracks, function))
        return function

    return register


def _load_all() -> None:
    for name in _MODULES:
        import_module(f"{__name__}.{name}")


def diagnose(observations: dict) -> tuple[list[Finding], list[str]]:
    """All findings for the observations' track, and notes for diagnosers that crashed."""
    _load_all()
    track = observations.get("track", "")
    findings: list[Finding] = []
    notes: list[str] = []
    for tracks, function in DIAGNOSERS:
        if track not in tracks:
            continue
        try:
            findings.extend(function(observations))
        except Exception as error:  # a broken diagnoser never breaks the learner's cell
            notes.append(f"diagnoser {function.__name__} could not run "
                         f"({type(error).__name__}: {error})")
    return _dedupe(findings), notes


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for finding in findings:
        key = (finding.code, finding.what)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(unique, key=lambda f: order.get(f.severity, 3))
