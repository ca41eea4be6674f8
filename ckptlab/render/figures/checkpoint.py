"""Plotly figures of checkpoint records: where the parameters live, one variable's values
(with its path through training), and how much each variable moved between two checkpoints."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ckptlab.render.palette import FONT_FAMILY, FONT_SIZE, look
from ckptlab.render.units import human_bytes, shape_text

__all__ = ["diff_figure", "sizes_figure", "values_figure"]


def _layout(title: str, key: str = "") -> dict:
    """A short title; what the colours or marks mean (`key`) on a line of its own below it:
    plotly never wraps a title, so one long line runs past a narrow plot and is cut."""
    heading = {"text": title, "subtitle": {"text": key}} if key else {"text": title}
    return {"title": heading, "height": 420, "margin": {"l": 40, "r": 20,
            "t": 75 if key else 50, "b": 40}, "font": {"family": FONT_FAMILY, "size": FONT_SIZE}}


def sizes_figure(index, selected: str | None = None, scope: str = "") -> go.Figure:
    """Treemap of bytes per scope/object; leaves coloured by kind, labelled by size.
    `scope` zooms into that subtree."""
    tree = index.tree()
    # one explicit root, so zooming back out is a level like any other
    ids, parents, values, labels, colours = ["/"], [""], [tree.nbytes], ["all"], ["#ffffff"]
    for _, node in tree.walk():
        if not node.path:
            continue
        # scopes end in '/': TF1 slots ('kernel/Adam') make 'kernel' a variable AND a scope
        ids.append(node.path if node.is_leaf else node.path + "/")
        parents.append(node.path.rsplit("/", 1)[0] + "/" if "/" in node.path else "/")
        values.append(node.nbytes)
        labels.append(node.name)
        kind = index.variable(node.key).kind if node.is_leaf else "other"
        colours.append("#d62728" if node.key and node.key == selected else
                       (look(kind)[0] if node.is_leaf else "#eeeeee"))
    scope = scope.rstrip("/") + "/" if scope else ""
    trace = go.Treemap(ids=ids, parents=parents, values=values, labels=labels,
                       branchvalues="total", marker={"colors": colours},
                       level=scope if scope in ids else "/",
                       hovertemplate="%{id}<br>%{value} bytes<extra></extra>")
    totals = index.totals()
    return go.Figure([trace], _layout(
        f"Where the {human_bytes(totals['bytes'])} live",
        "area: bytes; blue: model weight, orange: optimizer state, green: step counter, "
        "red: your pick"))


TINY = 16  # a vector of at most this many values: show the numbers, not a distribution


def _element_labels(shape: tuple) -> list[str]:
    return [str(list(index)) if len(index) > 1 else f"[{index[0]}]"
            for index in np.ndindex(*shape)] if shape else ["value"]


def _values_trace(value: np.ndarray) -> tuple[go.BaseTraceType, dict, dict]:
    """The trace for one variable's values, with its x and y axis settings: the number
    itself for one value, a bar per element for a few, a heatmap for a matrix, else a
    histogram."""
    if value.dtype.kind not in "biuf":
        return (go.Bar(x=["non-numeric"], y=[value.size]), {"title": {"text": "dtype"}},
                {"title": {"text": "number of elements"}})
    if value.size == 1:
        return (go.Indicator(mode="number", value=float(value.ravel()[0]),
                             number={"valueformat": ".6g"}), {}, {})
    if value.size <= TINY and value.ndim <= 1:
        flat = value.astype(float).ravel()
        return (go.Bar(x=_element_labels(tuple(value.shape)), y=flat.tolist(),
                       text=[f"{v:.4g}" for v in flat], textposition="outside",
                       marker={"color": look("weight")[0]}, showlegend=False),
                {"title": {"text": "element [index]"}, "type": "category"},
                {"title": {"text": "value"}, "zeroline": True})
    if value.ndim == 2 and value.size <= 250_000:
        return (go.Heatmap(z=value.astype(float), colorscale="RdBu", zmid=0,
                           colorbar={"len": 0.65, "y": 1, "yanchor": "top",
                                     "title": {"text": "value"}},
                           hovertemplate="row %{y}, column %{x}: %{z:.4g}<extra></extra>"),
                {"title": {"text": f"column (axis 1, {value.shape[1]} in all)"}},
                {"title": {"text": f"row (axis 0, {value.shape[0]} in all)"}})
    flat = value.astype(float).ravel()
    counts, edges = np.histogram(flat, bins=min(40, max(1, flat.size)))
    centres = (edges[:-1] + edges[1:]) / 2
    return (go.Bar(x=centres.tolist(), y=counts.tolist(), marker={"color": look("weight")[0]},
                   showlegend=False),
            {"title": {"text": f"value (histogram of all {flat.size} elements)"}},
            {"title": {"text": "number of elements"}})


def values_figure(key: str, value: np.ndarray, step: int | None = None,
                  history: tuple = ()) -> go.Figure:
    """The values at one checkpoint; with `history` (VariablePoint per checkpoint) a small
    line plot below of the variable's mean and std through training, `step` marked."""
    title = f"{key} {shape_text(tuple(value.shape))} at step {step}"
    trace, x_axis, y_axis = _values_trace(value)
    number = isinstance(trace, go.Indicator)
    if not history:
        figure = go.Figure([trace], _layout(title))
        if not number:
            figure.update_xaxes(**x_axis)
            figure.update_yaxes(**y_axis)
        return figure
    top = {"type": "domain"} if number else {"type": "xy"}
    figure = make_subplots(rows=2, cols=1, row_heights=[0.68, 0.32], vertical_spacing=0.2,
                           specs=[[top], [{"type": "xy"}]])
    figure.add_trace(trace, row=1, col=1)
    if not number:
        figure.update_xaxes(row=1, col=1, **x_axis)
        figure.update_yaxes(row=1, col=1, **y_axis)
    steps = [p.step if p.step is not None else i for i, p in enumerate(history)]
    for name, colour in (("mean", look("weight")[0]), ("std", look("optimizer")[0])):
        label = f"{name} of its values" if value.size > 1 else "its value"
        if name == "std" and value.size == 1:
            continue  # one value has no spread
        figure.add_trace(go.Scatter(x=steps, y=[getattr(p, name) for p in history], name=label,
                                    mode="lines+markers", line={"color": colour}), row=2, col=1)
    current = [p for p in history if p.step == step]
    shown = [v for p in current for v in ((p.mean,) if value.size == 1 else (p.mean, p.std))]
    figure.add_trace(go.Scatter(
        x=[step] * len(shown), y=shown, mode="markers", name=f"this checkpoint (step {step})",
        marker={"size": 11, "color": "#d62728", "symbol": "diamond"}), row=2, col=1)
    figure.update_layout(_layout(title), height=520, showlegend=True,
                         legend={"x": 1.02, "xanchor": "left", "y": 0, "yanchor": "bottom"})
    figure.update_xaxes(title_text="training step of each checkpoint", row=2, col=1,
                        tickvals=steps if len(steps) <= 12 else None)
    figure.update_yaxes(title_text="value", row=2, col=1)
    return figure


def diff_figure(diff) -> go.Figure:
    """Bars of the largest absolute change per variable, changed and unchanged apart (the
    legend says which is which). Step counters are left out of the bars: they change by
    construction and would dwarf every weight; the title gives the steps instead."""
    counters = {c.key for c in diff.values if _kind(diff.b, c.key) == "step"}
    changes = sorted((c for c in diff.values if c.key not in counters),
                     key=lambda c: -c.max_abs)[:40]
    traces = []
    for state in ("changed", "unchanged"):
        picked = [c for c in changes if c.changed == (state == "changed")]
        traces.append(go.Bar(x=[c.max_abs for c in picked], y=[c.key for c in picked],
                             orientation="h", name=look(state)[1],
                             marker={"color": look(state)[0]},
                             hovertemplate="%{y}: %{x:.4g}<extra></extra>"))
    counted = f"step counters left out: {', '.join(sorted(counters))}" if counters else ""
    extra = ", ".join(f"{n} {what}" for n, what in (
        (len(diff.added), "added"), (len(diff.removed), "removed"),
        (len(diff.shape_changed), "reshaped")) if n)
    title = (f"What changed from step {diff.a.step} to step {diff.b.step}"
             + (f"; {extra}" if extra else ""))
    if diff.a.step == diff.b.step:
        title = f"Step {diff.a.step} compared with itself: pick another checkpoint"
    layout = _layout(title, counted)
    layout.update(height=max(320, 150 + 22 * len(changes)), barmode="overlay",
                  legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1,
                          "yanchor": "bottom"})
    layout["margin"].update(t=105 if counted else 80, l=10)
    figure = go.Figure(traces, layout)
    figure.update_yaxes(autorange="reversed", title_text="variable", automargin=True)
    figure.update_xaxes(title_text="largest change of one element (absolute value)")
    return figure


def _kind(index, key: str) -> str:
    try:
        return index.variable(key).kind
    except (KeyError, AttributeError):
        return "other"
