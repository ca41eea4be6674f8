"""A report as readable text (terminal, tests) and as HTML with collapsible findings.

HTML pieces of a checker report for the CheckReport view: the summary line of passes
and failures, and one finding's card body (what happened, evidence table, why, the fix as
a code snippet, the tutorial link). The static page is ckptlab.render.report.report_html.
"""

from __future__ import annotations

import html
import textwrap
from html import escape
from typing import Any

from ckptlab.checker.findings import NOT_ENDED, Finding, Report
from ckptlab.render.links import tutorial_href
from ckptlab.render.palette import FONT_FAMILY, FONT_SIZE, SEVERITY_LOOK, VERDICT_LOOK

__all__ = ["evidence_text", "failed_at", "finding_body_html", "finding_link_html",
           "finding_text", "finding_title", "report_html", "report_text", "summary_html"]


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
    lines.append(f"  Learn more: {tutorial_href(finding.tutorial)}")
    return "\n".join(lines)


def failed_at(report: Report) -> str:
    """'failed at stage evaluate' when an exception, a time-out or a crash stopped a stage
    (the stages in the order they ran), else ''."""
    from ckptlab.exercises.spec import EVERY_STAGE, broken_stages, finding_stages

    broken = broken_stages(report.findings)
    if not broken:
        return ""
    if EVERY_STAGE in broken:
        running = next((dict(f.evidence)[NOT_ENDED] for f in report.findings
                        if NOT_ENDED in dict(f.evidence)), None)
        if running:  # processes ran at once: what did not end, not the last stage listed
            return f"stopped in {' and '.join(running)}"
        last = report.stages[-1] if report.stages else "loading your code"
        return f"stopped after {last}"
    # the stages that ran, then those that failed in the order their errors were found
    ran = list(report.stages) + [stage for finding in report.findings
                                 for stage in finding_stages(finding)]
    ordered = sorted(broken, key=lambda s: ran.index(s) if s in ran else len(ran))
    return f"failed at stage{'s' * (len(ordered) > 1)} {', '.join(ordered)}"


def _verdict(report: Report) -> tuple[str, str]:
    """(colour, word) of the verdict: the same in the terminal, the page and the widget."""
    return VERDICT_LOOK.get(report.verdict, ("#555555", report.verdict.upper()))


def _headline(report: Report) -> str:
    errors = len(report.codes("error"))
    warnings = len(report.codes("warning"))
    counts = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    exercise = f", exercise {report.exercise}" if report.exercise else ""
    stage = f" · {failed_at(report)}" if failed_at(report) else ""
    return (f"{_verdict(report)[1]}  {report.subject} ({report.track} track{exercise}: "
            f"{counts}){stage}")


def points_line(report: Report) -> str:
    """'Points: 3/5 (runs 1/1, ...)' for a report checked against an exercise, else ''."""
    if not report.exercise:
        return ""
    from ckptlab.exercises import EXERCISES, points_for
    from ckptlab.exercises.spec import broken_stages

    exercise = EXERCISES.get(report.exercise)
    if exercise is None:
        return ""
    if not report.answered:
        return f"Points: 0/{exercise.total} (not answered yet: change the starter code)"
    points = report.case_points or points_for(
        exercise, report.verdict, report.codes("error", symptoms=True),
        broken_stages(report.findings), report.unjudged)
    cases = ", ".join(f"{c.name} {points.get(c.name, 0)}/{c.points}" for c in exercise.cases)
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


def _finding_html(finding: Finding) -> str:
    """A collapsible finding of the static page: the widget's card inside <details>."""
    return (f'<details class="ckptlab-finding" data-code="{escape(finding.code)}">'
            f"<summary>{_badge(finding.severity)} <code>{escape(finding.code)}</code> "
            f"{escape(finding.title)}</summary>{finding_body_html(finding, badge=False)}"
            "</details>")


def report_html(report: Report) -> str:
    color = _verdict(report)[0]
    body = "".join(_finding_html(f) for f in report.findings) or (
        "<p>No problem found: the save/restore round trip kept structure and values.</p>")
    notes = "".join(f"<p><i>note: {html.escape(n)}</i></p>" for n in report.notes)
    return (f'<div class="ckptlab-report" style="{BOX}">'
            f'<p style="color:{color};font-weight:bold">'
            f"{html.escape(_headline(report))}</p>"
            + (f"<p>{html.escape(points_line(report))}</p>" if report.exercise else "")
            + f"{body}{notes}</div>")


BOX = (f"font-family:{FONT_FAMILY}; font-size:{FONT_SIZE}px; line-height:1.4; "
       "white-space:normal; overflow-wrap:anywhere")
CELL = "padding:2px 8px; border-bottom:1px solid #eee; vertical-align:top; text-align:left"
CODE = ("background:#f6f8fa; border:1px solid #ddd; border-radius:4px; padding:6px 8px; "
        "white-space:pre-wrap; font-family:monospace; font-size:12px")


def _badge(severity: str) -> str:
    colour, label = SEVERITY_LOOK.get(severity, ("#555555", severity))
    return (f'<span style="color:white; background:{colour}; border-radius:3px; '
            f'padding:0 5px; font-weight:600">{escape(label)}</span>')


def summary_html(report) -> str:
    """E.g. 'FAIL · 4 stages passed · 1 error, 1 warning'."""
    colour, word = _verdict(report)
    counts = {s: len(report.codes(s)) for s in ("error", "warning", "info")}
    problems = ", ".join(f"{n} {s}{'s' * (n != 1)}" for s, n in counts.items() if n) \
        or "no problems"
    stages = len(report.stages)
    progress = failed_at(report) or f"{stages} stage{'s' * (stages != 1)} passed"
    subject = f" · {escape(report.subject)}" if report.subject else ""
    return (f'<div style="{BOX}"><span style="color:white; background:{colour}; '
            f'border-radius:3px; padding:1px 8px; font-weight:700">'
            f"{word}</span>{subject} · "
            f"{escape(progress)} · {problems}</div>")


def finding_title(finding) -> str:
    """Plain text for an accordion title (no HTML there)."""
    return f"[{finding.severity}] {finding.code}: {finding.title}"


def finding_link_html(finding) -> str:
    """The "Learn more" paragraph, its href relative to the notebook (render.links)."""
    href = escape(tutorial_href(finding.tutorial))
    return f'<p><a href="{href}" target="_blank">Learn more: {href}</a></p>'


def finding_body_html(finding, link: bool = True, badge: bool = True) -> str:
    """One finding's card; `link=False` leaves out the "Learn more" paragraph (the widget
    shows it in an output area, where JupyterLab opens it as a notebook link);
    `badge=False` leaves out the severity and code (the static page's <summary> has them)."""
    rows = "".join(f'<tr><th style="{CELL}">{escape(str(label))}</th>'
                   f'<td style="{CELL}">{escape(evidence_text(value))}</td></tr>'
                   for label, value in finding.evidence)
    evidence = (f'<table style="border-collapse:collapse; margin:4px 0">{rows}</table>'
                if rows else "")
    return (f'<div class="ckptlab-finding-card" data-code="{escape(finding.code)}" '
            f'style="{BOX}">'
            + (f"{_badge(finding.severity)} <code>{escape(finding.code)}</code>" if badge else "")
            + f"<p><b>What happened:</b> {escape(finding.what)}</p>{evidence}"
            f"<p><b>Why:</b> {escape(finding.why)}</p><p><b>Fix:</b></p>"
            f'<pre style="{CODE}"><code>{escape(finding.fix)}</code></pre>'
            f"{finding_link_html(finding) if link else ''}</div>")
