"""HTML pieces of a checker report for the CheckReport view: the summary line of passes
and failures, and one finding's card body (what happened, evidence table, why, the fix as
a code snippet, the tutorial link). The static page is ckptlab.check.render.report_html."""

from __future__ import annotations

from html import escape

from ckptlab.check.render import evidence_text
from ckptlab.widgets.style import FONT_FAMILY, FONT_SIZE, SEVERITY_LOOK

__all__ = ["finding_body_html", "finding_title", "summary_html"]

BOX = (f"font-family:{FONT_FAMILY}; font-size:{FONT_SIZE}px; line-height:1.4; "
       "white-space:normal; overflow-wrap:anywhere")
CELL = "padding:2px 8px; border-bottom:1px solid #eee; vertical-align:top; text-align:left"
CODE = ("background:#f6f8fa; border:1px solid #ddd; border-radius:4px; padding:6px 8px; "
        "white-space:pre-wrap; font-family:monospace; font-size:12px")
VERDICT_WORDS = {"pass": "PASS", "fail": "FAIL", "error": "COULD NOT CHECK"}


def _badge(severity: str) -> str:
    colour, label = SEVERITY_LOOK.get(severity, ("#555555", severity))
    return (f'<span style="color:white; background:{colour}; border-radius:3px; '
            f'padding:0 5px; font-weight:600">{escape(label)}</span>')


def summary_html(report) -> str:
    """E.g. 'FAIL · 4 stages passed · 1 error, 1 warning'."""
    verdict = report.verdict
    colour = SEVERITY_LOOK.get(verdict, SEVERITY_LOOK["warning"])[0]
    counts = {s: len(report.codes(s)) for s in ("error", "warning", "info")}
    problems = ", ".join(f"{n} {s}{'s' * (n != 1)}" for s, n in counts.items() if n) \
        or "no problems"
    stages = len(report.stages)
    subject = f" · {escape(report.subject)}" if report.subject else ""
    return (f'<div style="{BOX}"><span style="color:white; background:{colour}; '
            f'border-radius:3px; padding:1px 8px; font-weight:700">'
            f"{VERDICT_WORDS.get(verdict, verdict.upper())}</span>{subject} · "
            f"{stages} stage{'s' * (stages != 1)} passed · {problems}</div>")


def finding_title(finding) -> str:
    """Plain text for an accordion title (no HTML there)."""
    return f"[{finding.severity}] {finding.code}: {finding.title}"


def finding_body_html(finding) -> str:
    rows = "".join(f'<tr><th style="{CELL}">{escape(str(label))}</th>'
                   f'<td style="{CELL}">{escape(evidence_text(value))}</td></tr>'
                   for label, value in finding.evidence)
    evidence = (f'<table style="border-collapse:collapse; margin:4px 0">{rows}</table>'
                if rows else "")
    return (f'<div class="ckptlab-finding-card" data-code="{escape(finding.code)}" '
            f'style="{BOX}">{_badge(finding.severity)} <code>{escape(finding.code)}</code>'
            f"<p><b>What happened:</b> {escape(finding.what)}</p>{evidence}"
            f"<p><b>Why:</b> {escape(finding.why)}</p><p><b>Fix:</b></p>"
            f'<pre style="{CODE}"><code>{escape(finding.fix)}</code></pre>'
            f'<p><a href="{escape(finding.tutorial)}" target="_blank">Learn more: '
            f"{escape(finding.tutorial)}</a></p></div>")
