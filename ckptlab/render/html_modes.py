"""HTML of a mode trace in three columns (TRAIN, EVAL, PREDICT), for the ModeExplorer's
columns and its static fallback: variables in creation order with their flags (and, with
the restore plan, their state against the TRAIN checkpoint), collections, EstimatorSpec
fields. Every state has a colour AND its text label (ckptlab.widgets.style)."""

from __future__ import annotations

from html import escape

from ckptlab.render.mode_rows import VariableRow, mode_rows
from ckptlab.render.modes import findings
from ckptlab.widgets.style import FONT_FAMILY, FONT_SIZE, MODE_LOOK, badge_html

__all__ = ["mode_column_html", "mode_explorer_html"]

TABLE = "border-collapse: collapse; margin: 2px 0 8px 0; width: 100%"
CELL = "padding: 1px 6px; border-bottom: 1px solid #eee; vertical-align: top"
FLAG = "display:inline-block; padding:0 4px; margin:1px 2px; border:1px solid #bbb; " \
       "border-radius:3px; font-size:11px"
# collections a learner must notice: batch norm's moving averages need UPDATE_OPS
NOTABLE = ("update_ops",)
# ipywidgets' HTML widget sets a one-line height and no wrapping: undo both
COLUMN = (f"font-family:{FONT_FAMILY}; font-size:{FONT_SIZE}px; line-height:1.35; "
          "white-space:normal; overflow-wrap:anywhere")


def _row_html(row: VariableRow, selected: str) -> str:
    mark = "▶ " if row.name == selected else ""
    weight = "font-weight:600; background:#fff8e1;" if row.name == selected else ""
    flags = "".join(f'<span style="{FLAG}">{escape(f)}</span>' for f in row.flags)
    state = f"<div>{badge_html(row.state)}</div>" if row.state else ""
    order = "" if row.order < 0 else str(row.order)
    origin = f'<span style="color:#666; font-size:11px"> {escape(row.origin)}</span>' \
        if row.origin else ""
    return (f'<tr style="{weight}" title="{escape(row.detail)}">'
            f'<td style="{CELL}; color:#888; white-space:nowrap">{order}</td>'
            f'<td style="{CELL}">{mark}<code>{escape(row.name)}</code>{origin}'
            f"<div>{flags}</div>{state}</td>"
            f'<td style="{CELL}; white-space:nowrap">{escape(row.shape)}</td></tr>')


def _pairs_table(title: str, pairs: list[tuple[str, str]], notable=()) -> str:
    if not pairs:
        return f"<div><b>{title}</b>: none</div>"
    rows = "".join(
        f'<tr><td style="{CELL}">{"<b>" if k in notable else ""}{escape(k)}'
        f'{"</b>" if k in notable else ""}</td><td style="{CELL}">{escape(v)}</td></tr>'
        for k, v in pairs)
    return f'<div><b>{title}</b></div><table style="{TABLE}">{rows}</table>'


def mode_column_html(report, mode: str, plan: bool = False, selected: str = "") -> str:
    trace = report.mode(mode)
    colour, label = MODE_LOOK.get(mode, ("#555", mode))
    if trace.error:
        where = f" at {trace.error.origin}" if trace.error.origin else ""
        status = (f'<div style="color:#c62828">failed to build{escape(where)}: '
                  f"{escape(trace.error.type)}: {escape(trace.error.message)}</div>")
    else:
        status = f"<div>built: {len(trace.variables)} variables, " \
                 f"{sum(trace.op_counts.values())} ops</div>"
    rows = "".join(_row_html(row, selected) for row in mode_rows(report, mode, plan))
    what = "variable, restore plan" if plan and mode != "train" else "variable"
    variables = (f'<table style="{TABLE}"><tr><th style="{CELL}">#</th>'
                 f'<th style="{CELL}; text-align:left">{what} (creation order)</th>'
                 f'<th style="{CELL}">shape</th></tr>{rows}</table>') if rows \
        else "<div>No variables.</div>"
    collections = sorted(trace.collections.items())
    notable = [(k, str(v)) for k, v in collections if k in NOTABLE] + \
              [(k, str(v)) for k, v in collections if k not in NOTABLE]
    return (f'<div class="ckptlab-mode-column" style="{COLUMN}">'
            f'<div style="border-top:4px solid {colour}; font-weight:700; font-size:15px">'
            f"{label}</div>{status}{variables}"
            f"{_pairs_table('collections (size)', notable, NOTABLE)}"
            f"{_pairs_table('EstimatorSpec fields', sorted(trace.spec.items()))}</div>")


def mode_explorer_html(report, plan: bool = False) -> str:
    """Three columns side by side, then the findings in words."""
    columns = "".join(f'<div style="flex:1; min-width:260px; padding:0 6px">'
                      f"{mode_column_html(report, t.mode, plan)}</div>" for t in report.modes)
    items = "".join(f"<li>{escape(text)}</li>" for text in findings(report))
    verdict = f"<ol>{items}</ol>" if items else "<p>No findings: the modes agree.</p>"
    return (f'<div class="ckptlab-mode-explorer" style="font-family:{FONT_FAMILY}; '
            f'font-size:{FONT_SIZE}px"><div style="font-weight:600; font-size:15px">'
            f"model_fn built in each mode</div>"
            f'<div style="display:flex; flex-wrap:wrap">{columns}</div>{verdict}</div>')
