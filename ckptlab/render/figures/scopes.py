"""Plotly treemap of a dry-run restore: the model's scopes with each variable coloured by
its state (and labelled with it), next to the checkpoint keys nobody restores."""

from __future__ import annotations

import plotly.graph_objects as go

from ckptlab.render.palette import FONT_FAMILY, FONT_SIZE, look
from ckptlab.render.scopes import ScopeRow
from ckptlab.scopes import parent_scope

__all__ = ["restore_treemap"]

MODEL, UNUSED = "model variables", "checkpoint keys nobody restores"


def _add(ids, parents, labels, colours, texts, node, parent, label, colour, text):
    if node in ids:
        return
    ids.append(node)
    parents.append(parent)
    labels.append(label)
    colours.append(colour)
    texts.append(text)


def restore_treemap(model_rows: list[ScopeRow], checkpoint_rows: list[ScopeRow],
                    selected: str = "") -> go.Figure:
    """Zoomed into the scope of `selected` when one is given."""
    ids, parents, labels, colours, texts = [], [], [], [], []
    for root, rows in ((MODEL, model_rows),
                       (UNUSED, [r for r in checkpoint_rows if r.state == "unused"])):
        if not rows:
            continue
        _add(ids, parents, labels, colours, texts, root, "", root, "#f5f5f5", ("", ""))
        for row in rows:
            scope, parent = parent_scope(row.name), root
            chain = []
            while scope:
                chain.append(scope)
                scope = parent_scope(scope)
            for part in reversed(chain):
                _add(ids, parents, labels, colours, texts, f"{root}/{part}", parent,
                     part.rsplit("/", 1)[-1], "#eeeeee", ("", "scope"))
                parent = f"{root}/{part}"
            colour, state_label = look(row.state)
            _add(ids, parents, labels, colours, texts, f"{root}/{row.name}", parent,
                 row.name.rsplit("/", 1)[-1], colour, (state_label, row.detail))
    level, title = "", "Restore plan: each variable's state"
    if selected:
        scope = parent_scope(selected)
        level = f"{MODEL}/{scope}" if scope else MODEL
        if scope:  # one line: a <br> in a title stops FigureWidget drawing (NEWS 13:37)
            title = f"Restore plan inside {scope}/ (click “{MODEL}” above for all)"
    figure = go.Figure(go.Treemap(
        ids=ids, parents=parents, labels=labels, marker=dict(colors=colours),
        text=[t[0] for t in texts], hovertext=[t[1] for t in texts],
        hovertemplate="%{label}<br>%{text}<br>%{hovertext}<extra></extra>",
        texttemplate="%{label}<br>%{text}", level=level or None, maxdepth=4,
        root=dict(color="#fafafa")))
    figure.update_layout(font=dict(family=FONT_FAMILY, size=FONT_SIZE), height=420,
                         margin=dict(l=10, r=10, t=40, b=10),
                         title=dict(text=title, font=dict(size=14)))
    return figure
