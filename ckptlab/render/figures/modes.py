"""Plotly figure of a mode trace: op counts by type, one bar per mode (TRAIN, EVAL,
PREDICT), so the ops that only training builds (gradients, optimizer updates) stand out."""

from __future__ import annotations

import plotly.graph_objects as go

from ckptlab.render.palette import FONT_FAMILY, FONT_SIZE, MODE_LOOK

__all__ = ["OP_FILTERS", "op_counts_figure", "op_types"]

OP_FILTERS = ("all", "some_modes")


def op_types(report, which: str = "all", top: int = 20) -> list[str]:
    """Op types by total count (largest first); 'some_modes': only those that some mode
    does not build at all (gradients and optimizer updates exist only in TRAIN)."""
    totals: dict[str, int] = {}
    for trace in report.modes:
        for op, count in trace.op_counts.items():
            totals[op] = totals.get(op, 0) + count
    chosen = sorted(totals, key=lambda op: (-totals[op], op))
    if which == "some_modes":
        chosen = [op for op in chosen if any(op not in t.op_counts for t in report.modes)]
    return chosen[:top]


def op_counts_figure(report, which: str = "all", top: int = 20) -> go.Figure:
    types = op_types(report, which, top)
    traces = []
    for trace in report.modes:
        colour, label = MODE_LOOK.get(trace.mode, ("#555555", trace.mode))
        total = sum(trace.op_counts.values())
        traces.append(go.Bar(y=types, x=[trace.op_counts.get(op, 0) for op in types],
                             orientation="h", name=f"{label} ({total} ops)",
                             marker=dict(color=colour),
                             hovertemplate=f"{label}: %{{x}} %{{y}} ops<extra></extra>"))
    figure = go.Figure(traces)
    shown = "all op types" if which == "all" else "op types missing from some mode"
    figure.update_layout(
        title=dict(text=f"Ops by type, per mode ({shown}, top {len(types)})",
                   font=dict(size=14)),
        barmode="group", height=200 + 22 * max(len(types), 1), plot_bgcolor="white",
        font=dict(family=FONT_FAMILY, size=FONT_SIZE), margin=dict(l=170, r=30, t=50, b=40),
        legend=dict(orientation="h", y=-0.08, yanchor="top"))
    figure.update_yaxes(autorange="reversed")
    figure.update_xaxes(title_text="ops in the graph", gridcolor="#eeeeee")
    return figure
