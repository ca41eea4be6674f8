"""HTML of both sides of a dry-run restore as trees (ScopeExplorer's panes and its static
fallback). Each variable shows its state as a colour AND a text label, and, on the model
side, the checkpoint key it will be restored from."""

from __future__ import annotations

from collections import Counter
from html import escape

from ckptlab.render.scope_rows import ScopeRow, rows_tree
from ckptlab.widgets.style import FONT_FAMILY, FONT_SIZE, badge_html

__all__ = ["scope_explorer_html", "state_counts_html", "tree_html"]

PANE = (f"font-family:{FONT_FAMILY}; font-size:{FONT_SIZE}px; line-height:1.4; "
        "white-space:normal; overflow-wrap:anywhere")
STATES = ("matched", "swapped", "mismatch", "missing", "unused")


def state_counts_html(rows: list[ScopeRow]) -> str:
    counts = Counter(row.state for row in rows)
    return " · ".join(f"{badge_html(state)} {counts[state]}" for state in STATES
                      if counts[state])


def _leaf_html(row: ScopeRow, depth: int, leaf_name: str, selected: str, show_key: bool) -> str:
    chosen = row.name == selected
    style = "background:#fff8e1; font-weight:600;" if chosen else ""
    key = ""
    if show_key:
        key = (f' <span style="color:#555">← <code>{escape(row.key)}</code></span>' if row.key
               else ' <span style="color:#555">← nothing</span>')
    shape = "(" + ", ".join(str(d) for d in row.shape) + ")"
    return (f'<div style="{style} padding-left:{depth * 14}px" title="{escape(row.detail)}">'
            f'{"▶ " if chosen else ""}<code>{escape(leaf_name)}</code> {shape} '
            f"{badge_html(row.state)}{key}</div>")


def tree_html(title: str, rows: list[ScopeRow], selected: str = "", show_key: bool = False
              ) -> str:
    by_name = {row.name: row for row in rows}
    lines = [f'<div style="{PANE}"><div style="font-weight:700; font-size:14px">'
             f"{escape(title)}</div><div>{state_counts_html(rows)}</div>"]
    for depth, node in rows_tree(rows).walk():
        if depth == 0:
            continue
        if node.is_leaf:
            lines.append(_leaf_html(by_name[node.key], depth - 1, node.name, selected,
                                    show_key))
        else:
            lines.append(f'<div style="padding-left:{(depth - 1) * 14}px; color:#333">'
                         f"{escape(node.name)}/ <span style=\"color:#888\">"
                         f"({node.variables})</span></div>")
    if not rows:
        lines.append("<div>(nothing)</div>")
    return "".join(lines) + "</div>"


def scope_explorer_html(model_rows: list[ScopeRow], checkpoint_rows: list[ScopeRow],
                        title: str) -> str:
    """The two trees side by side."""
    return (f'<div class="ckptlab-scope-explorer" style="{PANE}">'
            f'<div style="font-weight:600; font-size:15px">{escape(title)}</div>'
            f'<div style="display:flex; flex-wrap:wrap; gap:16px">'
            f'<div style="flex:1; min-width:300px">'
            f"{tree_html('model variables', model_rows, show_key=True)}</div>"
            f'<div style="flex:1; min-width:300px">'
            f"{tree_html('checkpoint keys', checkpoint_rows)}</div></div></div>")
