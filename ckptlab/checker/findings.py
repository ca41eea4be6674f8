"""The checker's records: a `Finding` per problem and a `Report` per check.

Plain frozen dataclasses with JSON values only (no TensorFlow objects), so a report can
cross a process boundary as one JSON line and be rendered as text, HTML or a widget.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from ckptlab.outcome_codes import INCOMPLETE

__all__ = [
    "ENDED_EARLY", "ERROR", "INFO", "NOT_ENDED", "SEVERITIES", "VERDICT_ERROR", "VERDICT_FAIL",
    "VERDICT_NOT_ANSWERED", "VERDICT_PASS", "WARNING",
    "Finding", "Report", "reworded", "verdict_of",
]

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (ERROR, WARNING, INFO)
VERDICT_PASS, VERDICT_FAIL, VERDICT_ERROR = "pass", "fail", "error"
REPORT_SCHEMA_VERSION = 2  # the JSON of a report only grows; 1 had no schema_version key
VERDICT_NOT_ANSWERED = "not_answered"  # an exercise answer that was never written: not run
# Codes that mean "the check could not finish", not "the learner's code is wrong".
INCOMPLETE_CODES = INCOMPLETE  # the check could not judge (ckptlab/outcome_codes.py)
# the evidence of a time-out or a crash while stage processes ran at once: what the ones
# that did not end ran (their stages finished in no one order)
NOT_ENDED = "did not end"
# what the processes that ended without a result before a stop, while their group ran on, ran
ENDED_EARLY = "ended before the stop"


@dataclass(frozen=True)
class Finding:
    """One problem: what happened (with evidence), why it matters, how to fix it."""

    code: str
    severity: str
    title: str
    what: str  # this run's facts, in one or two sentences
    why: str  # the concept, two or three sentences
    fix: str  # a concrete code change
    tutorial: str  # "tutorials/<notebook>.ipynb#<anchor>"
    evidence: tuple[tuple[str, Any], ...] = ()  # (label, JSON value) pairs, in order
    symptoms: tuple[str, ...] = ()  # codes that only follow from this cause (in evidence)

    @property
    def explanation(self) -> str:
        return f"{self.what}\n{self.why}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "severity": self.severity, "title": self.title,
            "explanation": self.explanation, "what": self.what, "why": self.why,
            "fix": self.fix, "evidence": dict(self.evidence), "tutorial": self.tutorial,
            "symptoms": list(self.symptoms),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(data["code"], data["severity"], data["title"], data["what"], data["why"],
                   data["fix"], data["tutorial"], tuple(data.get("evidence", {}).items()),
                   tuple(data.get("symptoms", ())))


def verdict_of(findings: Iterable[Finding]) -> str:
    """'fail' when the learner's code has an error; 'error' when the check could not judge."""
    findings = list(findings)
    learner_errors = [f for f in findings if f.severity == ERROR
                      and f.code not in INCOMPLETE_CODES]
    if learner_errors:
        return VERDICT_FAIL
    if any(f.code in INCOMPLETE_CODES for f in findings):
        return VERDICT_ERROR
    return VERDICT_PASS


@dataclass(frozen=True)
class Report:
    """The outcome of one check of one submission."""

    track: str  # "estimator", "tf2" or "unknown"
    subject: str  # file name or function name that was checked
    findings: tuple[Finding, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds
    stages: tuple[str, ...] = ()  # stages that completed, in order
    exercise: str = ""
    notes: tuple[str, ...] = ()  # checker-side remarks (e.g. a diagnoser that crashed)
    answered: bool = True  # False: an exercise's answer is still the starter code (0 points)
    case_points: dict[str, int] = field(default_factory=dict)  # exercise check -> earned
    # codes the check could not judge for want of evidence (a comparison that stood down):
    # an exercise check that fails on one of them earns nothing
    unjudged: tuple[str, ...] = ()

    @property
    def verdict(self) -> str:
        if not self.answered and not self.findings:
            return VERDICT_NOT_ANSWERED
        return verdict_of(self.findings)

    @property
    def exit_code(self) -> int:
        return {VERDICT_PASS: 0, VERDICT_FAIL: 1, VERDICT_NOT_ANSWERED: 1}.get(self.verdict, 2)

    @property
    def points(self) -> int:
        """The exercise points this report earns (0 when not answered): a plain number, so a
        notebook cell ending with `report.points` gives nbgrader its partial credit."""
        return sum(self.case_points.values())

    def codes(self, severity: str | None = None, symptoms: bool = False) -> list[str]:
        """Codes of the findings (with `symptoms`, also the codes folded under a cause,
        which is what grading needs: a symptom shown as evidence is still wrong)."""
        found = []
        for f in self.findings:
            if severity in (None, f.severity):
                found += [f.code, *(f.symptoms if symptoms else ())]
        return list(dict.fromkeys(found)) if symptoms else found

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict, "track": self.track, "subject": self.subject,
            "exercise": self.exercise, "findings": [f.to_dict() for f in self.findings],
            "timings": dict(self.timings), "stages": list(self.stages),
            "notes": list(self.notes), "answered": self.answered,
            "points": dict(self.case_points), "unjudged": list(self.unjudged),
            "schema_version": REPORT_SCHEMA_VERSION,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        return cls(data["track"], data.get("subject", ""),
                   tuple(Finding.from_dict(f) for f in data.get("findings", [])),
                   dict(data.get("timings", {})), tuple(data.get("stages", [])),
                   data.get("exercise", ""), tuple(data.get("notes", [])),
                   bool(data.get("answered", True)), dict(data.get("points", {})),
                   tuple(data.get("unjudged", [])))

    def __str__(self) -> str:
        from ckptlab.render.report import report_text

        return report_text(self)

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        """Plain-text front ends (terminal IPython, nbconvert to text) show the readable report."""
        printer.text(str(self))

    def _repr_html_(self) -> str:
        from ckptlab.render.report import report_html

        return report_html(self)


def reworded(report: Report, say: Callable[[str], str]) -> Report:
    """The report with `say` applied to every text of its findings (what, evidence): how
    locations in the checker's words become the learner's (e.g. notebook cells)."""
    def each(value: Any) -> Any:
        if isinstance(value, str):
            return say(value)
        if isinstance(value, (list, tuple)):
            return type(value)(each(item) for item in value)
        if isinstance(value, dict):
            return {key: each(item) for key, item in value.items()}
        return value

    findings = tuple(replace(f, what=say(f.what), evidence=tuple(
        (label, each(value)) for label, value in f.evidence)) for f in report.findings)
    return replace(report, findings=findings)
