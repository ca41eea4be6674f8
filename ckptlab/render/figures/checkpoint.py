"""Plotly figures of checkpoint records: where the parameters live, one variable's values
(with its path through training), and how much each variable moved between two checkpoints."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ckptlab.render.checkpoint import human_bytes, shape_text
from ckptlab.render.palette import FONT_FAMILY, FONT_SIZE, look

__all__ = ["diff_figure", "sizes_figure", "values_figure"]


def _layout(title: str) -> dict:
    return {"title": {"text": title}, "height": 420, "margin": {"l": 40, "r": 20, "t": 50,
            "b": 40}, "font": {"family": FONT_FAMILY, "size": FONT_SIZE}}


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
    return go.Figure([trace], _layout(f"Where the {human_bytes(totals['bytes'])} live "
                                      "(colour: model weight / optimizer / step)"))


def _values_trace(value: np.ndarray) -> go.BaseTraceType:
    """A heatmap for 2-D values, else a histogram (scalars shown as one bar)."""
    if value.dtype.kind not in "biuf":
        return go.Bar(x=["non-numeric"], y=[value.size])
    if value.ndim == 2 and value.size <= 250_000:
        return go.Heatmap(z=value.astype(float), colorscale="RdBu", zmid=0,
                          colorbar={"len": 0.65, "y": 1, "yanchor": "top"})
    flat = value.astype(float).ravel()
    counts, edges = np.histogram(flat, bins=min(40, max(1, flat.size)))
    centres = (edges[:-1] + edges[1:]) / 2
    return go.Bar(x=centres.tolist(), y=counts.tolist(), marker={"color": look("weight")[0]})


def values_figure(key: str, value: np.ndarray, step: int | None = None,
                  history: tuple = ()) -> go.Figure:
    """The values at one checkpoint; with `history` (VariablePoint per checkpoint) a small
    line plot below of the variable's mean and std through training, `step` marked."""
    title = f"{key} {shape_text(tuple(value.shape))} at step {step}"
    if not history:
        return go.Figure([_values_trace(value)], _layout(title))
    figure = make_subplots(rows=2, cols=1, row_heights=[0.72, 0.28], vertical_spacing=0.14)
    figure.add_trace(_values_trace(value), row=1, col=1)
    steps = [p.step if p.step is not None else i for i, p in enumerate(history)]
    for name, colour in (("mean", look("weight")[0]), ("std", look("optimizer")[0])):
        figure.add_trace(go.Scatter(x=steps, y=[getattr(p, name) for p in history], name=name,
                                    mode="lines+markers", line={"color": colour}), row=2, col=1)
    current = [p for p in history if p.step == step]
    figure.add_trace(go.Scatter(
        x=[step] * 2 * len(current), y=[v for p in current for v in (p.mean, p.std)],
        mode="markers", name=f"step {step}", marker={"size": 11, "color": "#d62728",
                                                    "symbol": "diamond"}), row=2, col=1)
    figure.update_layout(_layout(title), height=500, showlegend=True,
                         legend={"x": 1.02, "xanchor": "left", "y": 0, "yanchor": "bottom"})
    figure.update_xaxes(title_text="step (through training)", row=2, col=1,
                        tickvals=steps if len(steps) <= 12 else None)
    return figure


def diff_figure(diff) -> go.Figure:
    """Bars of the largest absolute change per variable, coloured changed/unchanged."""
    changes = sorted(diff.values, key=lambda c: -c.max_abs)[:40]
    states = ["changed" if c.changed else "unchanged" for c in changes]
    trace = go.Bar(x=[c.max_abs for c in changes], y=[c.key for c in changes],
                   orientation="h", marker={"color": [look(s)[0] for s in states]},
                   text=[look(s)[1] for s in states], hovertemplate="%{y}: %{x}<extra></extra>")
    layout = _layout(f"max |change| from step {diff.a.step} to step {diff.b.step} "
                     f"({len(diff.added)} added, {len(diff.removed)} removed, "
                     f"{len(diff.shape_changed)} reshaped)")
    layout["yaxis"] = {"autorange": "reversed"}
    return go.Figure([trace], layout)
