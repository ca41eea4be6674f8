"""Static HTML of Estimator lifecycles: what GitHub, nbviewer and exported pages show.

No scripts: a table of counts with the sessions side by side, then one row per API call
per session. Every colour comes with its text label, so the page reads the same when a
viewer strips styles.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from ckptlab.render.lifecycle import LANE_LABELS, LANES, LifecycleSummary
from ckptlab.widgets.style import FONT_FAMILY, FONT_SIZE, LANE_LOOK

__all__ = ["lifecycle_html"]

FONT = f"font-family: {FONT_FAMILY}; font-size: {FONT_SIZE}px"
CELL = "padding: 2px 10px; border-bottom: 1px solid #e5e5e5; text-align: right"
HEAD = "padding: 2px 10px; border-bottom: 1px solid #999; text-align: right"


def _lane_cell(lane: str) -> str:
    colour, _ = LANE_LOOK[lane]
    swatch = (f'<span style="display:inline-block; width:10px; height:10px; '
              f'background:{colour}; margin-right:6px"></span>')
    return f'<td style="padding: 2px 10px; text-align: left">{swatch}{LANE_LABELS[lane]}</td>'


def _counts_table(summaries: Sequence[LifecycleSummary]) -> str:
    head = "".join(f'<th style="{HEAD}">{escape(s.name)}</th>' for s in summaries)
    rows = []
    for lane, _ in LANES:
        cells = "".join(f'<td style="{CELL}">{s.counts[lane]}</td>' for s in summaries)
        rows.append(f"<tr>{_lane_cell(lane)}{cells}</tr>")
    if any(s.examples for s in summaries):
        served = "".join(f'<td style="{CELL}">{s.examples or "-"}</td>' for s in summaries)
        ratio = "".join(
            f'<td style="{CELL}">'
            f'{"-" if s.restores_per_example is None else f"{s.restores_per_example:.2g}"}</td>'
            for s in summaries)
        rows.append(f'<tr><td style="padding: 2px 10px">examples served</td>{served}</tr>')
        rows.append(f'<tr><td style="padding: 2px 10px"><b>restores per example</b></td>'
                    f"{ratio}</tr>")
    return (f'<table style="border-collapse: collapse; margin: 6px 0">'
            f'<thead><tr><th style="{HEAD}; text-align: left">counts</th>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def _calls_table(summary: LifecycleSummary) -> str:
    lanes = [lane for lane, _ in LANES[1:]]
    head = "".join(f'<th style="{HEAD}">{LANE_LABELS[lane]}</th>' for lane in lanes)
    rows = []
    for span in summary.calls:
        per_lane = {lane: 0 for lane in lanes}
        for mark in summary.marks:
            if mark.call == span.call and mark.lane in per_lane:
                per_lane[mark.lane] += 1
        seconds = "running" if span.end is None else f"{span.end - span.begin:.3f} s"
        status = span.status + (f": {escape(span.error)}" if span.error else "")
        cells = "".join(f'<td style="{CELL}">{per_lane[lane]}</td>' for lane in lanes)
        rows.append(f'<tr><td style="{CELL}">{span.call}</td>'
                    f'<td style="{CELL}; text-align: left">{escape(span.api)}()</td>'
                    f'<td style="{CELL}; text-align: left">{status}</td>{cells}'
                    f'<td style="{CELL}">{seconds}</td></tr>')
    return (f'<table style="border-collapse: collapse; margin: 4px 0 10px 0"><thead><tr>'
            f'<th style="{HEAD}">#</th><th style="{HEAD}; text-align: left">API call</th>'
            f'<th style="{HEAD}; text-align: left">status</th>{head}'
            f'<th style="{HEAD}">duration</th></tr></thead><tbody>{"".join(rows)}</tbody>'
            f"</table>")


def lifecycle_html(summaries: Sequence[LifecycleSummary], title: str = "Estimator lifecycle"
                   ) -> str:
    """Counts side by side, then each session's API calls with what each one did."""
    parts = [f'<div class="ckptlab-lifecycle" style="{FONT}">',
             f'<div style="font-weight: 600; font-size: 15px">{escape(title)}</div>']
    if not summaries:
        parts.append("<p>No events recorded yet.</p></div>")
        return "".join(parts)
    parts.append(_counts_table(summaries))
    for summary in summaries:
        parts.append(f'<div style="font-weight: 600; margin-top: 6px">{escape(summary.name)}: '
                     f"{escape(summary.headline())}</div>")
        parts.append(_calls_table(summary))
    parts.append("</div>")
    return "".join(parts)
