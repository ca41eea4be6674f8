"""Plotly figures of Estimator lifecycles, built from `LifecycleSummary` records.

`timeline_figure` draws one session on lanes (API call spans on top, then input_fn,
model_fn, graphs, sessions, restores, saves, warnings) against seconds; `comparison_figure`
puts the counts of several sessions side by side, so one restore per example stands out.
Both always return the same traces in the same order, so a FigureWidget can update them
in place.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from ckptlab.render.lifecycle import LANE_LABELS, LANES, LifecycleSummary
from ckptlab.render.palette import FONT_FAMILY, FONT_SIZE, LANE_LOOK

__all__ = ["COMPARED", "comparison_figure", "timeline_figure"]

FONT = dict(family=FONT_FAMILY, size=FONT_SIZE)
SYMBOLS = {"call": "line-ns", "input_fn": "circle", "model_fn": "diamond", "graph": "square",
           "session": "triangle-up", "restore": "star", "save": "triangle-down",
           "warning": "hexagon"}
# what the comparison counts, in bar order: (lane id, bar label)
COMPARED = (("model_fn", "model_fn calls"), ("graph", "graphs built"),
            ("session", "sessions"), ("restore", "restores"))


def _base_layout(title: str, height: int) -> dict:
    # legend above the plot, right-aligned: never on top of an axis title
    # title at the top of the figure, the legend (up to two rows) between it and the plot
    return dict(title=dict(text=title, font=dict(size=14), x=0, xanchor="left", y=0.99,
                           yref="container", yanchor="top"), font=FONT,
                height=height, margin=dict(l=130, r=30, t=95, b=55), plot_bgcolor="white",
                legend=dict(orientation="h", x=1, xanchor="right", y=1.02, yanchor="bottom"),
                hovermode="closest")


def _runs(summary: LifecycleSummary) -> list[tuple[int, int]]:
    """(first, last) positions of consecutive calls of the same API with the same status."""
    runs: list[tuple[int, int]] = []
    for i, span in enumerate(summary.calls):
        previous = summary.calls[runs[-1][0]] if runs else None
        if previous is not None and (previous.api, previous.status) == (span.api, span.status):
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _span_trace(summary: LifecycleSummary) -> tuple[go.Scatter, list[dict]]:
    """One bar per API call on the top lane, and its labels. Consecutive calls alternate
    between two greys, so 20 predict() calls read as 20 bars, not one smear; a run of calls
    of one API is labelled once ("predict x10"), above the bar with a gap, so labels never
    overlap each other or touch the bars."""
    xs, ys, colours, hovers, labels = [], [], [], [], []
    label_at = {first: last - first + 1 for first, last in _runs(summary)}
    gap = 0.006 * max(summary.duration, 1e-9)  # a visible break between back-to-back calls
    for i, span in enumerate(summary.calls):
        end = span.end if span.end is not None else summary.duration
        xs += [span.begin, max(span.begin + (end - span.begin) / 2, end - gap), None]
        ys += [LANE_LABELS["call"]] * 2 + [None]
        name = span.api + (" (error)" if span.status == "error" else "")
        count = label_at.get(i)
        if count:
            labels.append(dict(x=span.begin, y=LANE_LABELS["call"], xanchor="left",
                               yanchor="bottom", yshift=9, showarrow=False,
                               text=name if count == 1 else f"{name} ×{count}",
                               font=dict(size=11, color="#333333")))
        colours += ["#555555" if i % 2 == 0 else "#9a9a9a"] * 3
        hovers += [f"call {i + 1}: {name}, {end - span.begin:.2f} s"] * 3
    trace = go.Scatter(x=xs, y=ys, mode="lines+markers",
                       line=dict(color=LANE_LOOK["call"][0], width=10),
                       marker=dict(symbol="line-ns", size=18, color=colours,
                                   line=dict(width=2, color=colours)),
                       hovertext=hovers, hoverinfo="text",
                       name=f"{LANE_LABELS['call']} ({summary.counts['call']})", cliponaxis=False)
    return trace, labels


def _lane_trace(summary: LifecycleSummary, lane: str) -> go.Scatter:
    colour, symbol = LANE_LOOK[lane][0], SYMBOLS[lane]
    marks = [m for m in summary.marks if m.lane == lane]
    return go.Scatter(
        x=[m.time for m in marks], y=[LANE_LABELS[lane]] * len(marks), mode="markers",
        marker=dict(color=colour, symbol=symbol, size=13 if lane == "restore" else 10,
                    line=dict(color="white", width=1)),
        hovertext=[f"#{m.seq} call {m.call}: {m.text}" for m in marks], hoverinfo="text",
        customdata=[m.seq for m in marks], name=f"{LANE_LABELS[lane]} ({len(marks)})")


def timeline_figure(summary: LifecycleSummary, current: int | None = None) -> go.Figure:
    """Lanes against seconds; `current` (an event seq) draws a cursor at that event."""
    spans, labels = _span_trace(summary)
    figure = go.Figure([spans] + [_lane_trace(summary, lane) for lane, _ in LANES[1:]])
    restores = summary.counts["restore"]
    figure.update_layout(**_base_layout(
        f"{summary.name}: {summary.counts['call']} API calls, {restores} restores", 420))
    figure.update_yaxes(categoryorder="array", categoryarray=[label for _, label in LANES][::-1],
                        range=[-0.5, len(LANES) - 0.1], gridcolor="#eeeeee")  # room for labels
    figure.update_xaxes(title_text="seconds since the recorder started", gridcolor="#eeeeee",
                        autorange=True)
    # the cursor ends on the API call lane: the call labels above it stay clear of it
    marked = [m for m in summary.marks if m.seq == current]
    shapes = [dict(type="line", xref="x", yref="y", x0=marked[0].time, x1=marked[0].time,
                   y0=-0.5, y1=len(LANES) - 1, line=dict(color="#333333", width=1, dash="dot"))
              ] if marked else []
    figure.update_layout(shapes=shapes, annotations=labels)
    return figure


def comparison_figure(summaries: Sequence[LifecycleSummary]) -> go.Figure:
    """Counts per session as grouped horizontal bars, restores last and loudest."""
    names = [s.name for s in summaries]
    traces = []
    for lane, label in COMPARED:
        colour = LANE_LOOK[lane][0]
        values = [s.counts[lane] for s in summaries]
        hover = [f"{s.name}: {v} {label}" + (f", {v / s.examples:.2g} per example"
                                             if s.examples else "")
                 for s, v in zip(summaries, values, strict=True)]
        traces.append(go.Bar(y=names, x=values, orientation="h", name=label, text=values,
                             textposition="outside", marker=dict(color=colour),
                             hovertext=hover, hoverinfo="text"))
    figure = go.Figure(traces)
    restores = ", ".join(f"{s.name} {s.counts['restore']}" for s in summaries)
    figure.update_layout(**_base_layout(f"Restores per session: {restores}",
                                        160 + 90 * max(len(summaries), 1)), barmode="group")
    figure.update_yaxes(autorange="reversed")
    largest = max((s.counts[lane] for s in summaries for lane, _ in COMPARED), default=0)
    figure.update_xaxes(title_text="how many times, in the whole session", gridcolor="#eeeeee",
                        range=[0, max(largest, 1) * 1.15])
    figure.update_layout(shapes=[], annotations=[])  # no timeline cursor or call labels here
    return figure
