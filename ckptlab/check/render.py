"""A report as readable text (terminal, tests) and as HTML with collapsible findings."""

from __future__ import annotations

import html
import textwrap
from typing import Any

from ckptlab.check.findings import Finding, Report

__all__ = ["evidence_text", "finding_text", "report_html", "report_text"]

WIDTH = 88
MAX_ITEMS = 12


def evidence_text(value: Any) -> str:
    """One evidence value as text: lists are joined, long ones end with the count left."""
    if isinstance(value, (list, tuple)):
        items = [evidence_text(item) for item in value]
        shown = ", ".join(items[:MAX_ITEMS])
        more = len(items) - MAX_ITEMS
        return f"{shown}, ... ({more} more)" if more > 0 else (shown or "(none)")
    if isinstance(value, dict):
        return ", ".join(f"{k}: {evidence_text(v)}" for k, v in value.items()) or "(none)"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _wrapped(label: str, text: str, indent: str = "  ") -> list[str]:
    lines: list[str] = []
    for number, paragraph in enumerate(text.splitlines() or [""]):
        first = f"{indent}{label} " if number == 0 else indent + " " * (len(label) + 1)
        lines.extend(textwrap.wrap(paragraph, WIDTH, initial_indent=first,
                                   subsequent_indent=indent + "  ") or [first.rstrip()])
    return lines


def finding_text(finding: Finding) -> str:
    lines = [f"[{finding.severity}] {finding.code}: {finding.title}"]
    lines += _wrapped("What happened:", finding.what)
    if finding.evidence:
        lines.append("  Evidence:")
        for label, value in finding.evidence:
            lines += _wrapped(f"{label}:", evidence_text(value), indent="    ")
    lines += _wrapped("Why:", finding.why)
    lines += _wrapped("Fix:", finding.fix)
    lines.append(f"  Learn more: {finding.tutorial}")
    return "\n".join(lines)


def _headline(report: Report) -> str:
    errors = len(report.codes("error"))
    warnings = len(report.codes("warning"))
    counts = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    exercise = f", exercise {report.exercise}" if report.exercise else ""
    return f"{report.verdict.upper()}  {report.subject} ({report.track} track{exercise}: {counts})"


def points_line(report: Report) -> str:
    """'Points: 3/5 (runs 1/1, ...)' for a report checked against an exercise, else ''."""
    if not report.exercise:
        return ""
    from ckptlab.exercises import EXERCISES, points_for

    exercise = EXERCISES.get(report.exercise)
    if exercise is None:
        return ""
    points = points_for(exercise, report.verdict, report.codes("error"))
    cases = ", ".join(f"{c.name} {points[c.name]}/{c.points}" for c in exercise.cases)
    return f"Points: {sum(points.values())}/{exercise.total} ({cases})"


def report_text(report: Report) -> str:
    parts = [_headline(report)]
    if points_line(report):
        parts[0] += "\n" + points_line(report)
    parts += [finding_text(finding) for finding in report.findings]
    if not report.findings:
        parts.append("No problem found: the save/restore round trip kept structure and values.")
    parts += [f"note: {note}" for note in report.notes]
    return "\n\n".join(parts)


_COLORS = {"error": "#b00020", "warning": "#8a6100", "info": "#245"}


def _finding_html(finding: Finding) -> str:
    esc = html.escape
    evidence = "".join(f"<li><b>{esc(str(label))}</b>: {esc(evidence_text(value))}</li>"
                       for label, value in finding.evidence)
    color = _COLORS.get(finding.severity, "#333")
    return (
        f'<details class="ckptlab-finding" data-code="{esc(finding.code)}">'
        f'<summary><span style="color:{color};font-weight:bold">{esc(finding.severity)}</span> '
        f"<code>{esc(finding.code)}</code> {esc(finding.title)}</summary>"
        f"<p><b>What happened:</b> {esc(finding.what)}</p>"
        + (f"<ul>{evidence}</ul>" if evidence else "")
        + f"<p><b>Why:</b> {esc(finding.why)}</p>"
        f"<p><b>Fix:</b> {esc(finding.fix)}</p>"
        f'<p><a href="{esc(finding.tutorial)}">Learn more: {esc(finding.tutorial)}</a></p>'
        "</details>"
    )


def report_html(report: Report) -> str:
    color = {"pass": "#1b5e20", "fail": "#b00020"}.get(report.verdict, "#8a6100")
    body = "".join(_finding_html(f) for f in report.findings) or (
        "<p>No problem found: the save/restore round trip kept structure and values.</p>")
    notes = "".join(f"<p><i>note: {html.escape(n)}</i></p>" for n in report.notes)
    return (f'<div class="ckptlab-report"><p style="color:{color};font-weight:bold">'
            f"{html.escape(_headline(report))}</p>"
            + (f"<p>{html.escape(points_line(report))}</p>" if report.exercise else "")
            + f"{body}{notes}</div>")
