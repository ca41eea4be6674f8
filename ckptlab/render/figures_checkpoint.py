"""Plotly figures of checkpoint records: where the parameters live, one variable's values,
and how much each variable moved between two checkpoints."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ckptlab.render.text import human_bytes, shape_text
from ckptlab.widgets.style import FONT_FAMILY, FONT_SIZE, look

__all__ = ["diff_figure", "sizes_figure", "values_figure"]


def _layout(title: str) -> dict:
    return {"title": {"text": title}, "height": 420, "margin": {"l": 40, "r": 20, "t": 50,
            "b": 40}, "font": {"family": FONT_FAMILY, "size": FONT_SIZE}}


def sizes_figure(index, selected: str | None = None) -> go.Figure:
    """Treemap of bytes per scope/object; leaves coloured by kind, labelled by size."""
    ids, parents, values, labels, colours = [], [], [], [], []
    for _, node in index.tree().walk():
        if not node.path:
            continue
        ids.append(node.path)
        parents.append(node.path.rsplit("/", 1)[0] if "/" in node.path else "")
        values.append(node.nbytes)
        labels.append(node.name)
        kind = index.variable(node.key).kind if node.is_leaf else "other"
        colours.append("#d62728" if node.key and node.key == selected else
                       (look(kind)[0] if node.is_leaf else "#eeeeee"))
    trace = go.Treemap(ids=ids, parents=parents, values=values, labels=labels,
                       branchvalues="total", marker={"colors": colours},
                       hovertemplate="%{id}<br>%{value} bytes<extra></extra>")
    totals = index.totals()
    return go.Figure([trace], _layout(f"Where the {human_bytes(totals['bytes'])} live "
                                      "(colour: model weight / optimizer / step)"))


def values_figure(key: str, value: np.ndarray, step: int | None = None) -> go.Figure:
    """A heatmap for 2-D values, else a histogram (scalars shown as one bar)."""
    title = f"{key} {shape_text(tuple(value.shape))} at step {step}"
    if value.dtype.kind not in "biuf":
        return go.Figure([go.Bar(x=["non-numeric"], y=[value.size])], _layout(title))
    if value.ndim == 2 and value.size <= 250_000:
        return go.Figure([go.Heatmap(z=value.astype(float), colorscale="RdBu", zmid=0)],
                         _layout(title))
    flat = value.astype(float).ravel()
    counts, edges = np.histogram(flat, bins=min(40, max(1, flat.size)))
    centres = (edges[:-1] + edges[1:]) / 2
    return go.Figure([go.Bar(x=centres.tolist(), y=counts.tolist(),
                             marker={"color": look("weight")[0]})], _layout(title))


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
