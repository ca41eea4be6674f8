"""Static HTML of checkpoint records (no scripts): what GitHub, nbviewer and exported pages
show instead of the live explorer. `tree_html` works for any ScopeNode tree."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from ckptlab.render.text import human_bytes, human_count, shape_text
from ckptlab.scopes import ScopeNode, build_tree
from ckptlab.widgets.style import FONT_FAMILY, FONT_SIZE, badge_html

__all__ = ["diff_html", "index_html", "tree_html"]

BOX = f"font-family: {FONT_FAMILY}; font-size: {FONT_SIZE}px"
CELL = "padding: 1px 8px; border-bottom: 1px solid #eee; text-align: left"


def tree_html(root: ScopeNode, leaf: Callable[[ScopeNode], str] | None = None,
              open_depth: int = 2) -> str:
    """Nested <details> per scope with its totals; leaves rendered by `leaf` (HTML)."""
    def render(node: ScopeNode, depth: int) -> str:
        if node.is_leaf:
            detail = leaf(node) if leaf else escape(human_bytes(node.nbytes))
            return f'<div style="margin-left:14px">{escape(node.name)} {detail}</div>'
        inner = "".join(render(child, depth + 1) for child in node.children)
        if depth == 0:
            return inner
        summary = (f"<b>{escape(node.name)}/</b> <span style='color:#666'>{node.variables} "
                   f"variables, {human_count(node.elements)} values, "
                   f"{human_bytes(node.nbytes)}</span>")
        opened = " open" if depth <= open_depth else ""
        return (f'<details{opened} style="margin-left:{10 if depth > 1 else 0}px">'
                f"<summary>{summary}</summary>{inner}</details>")
    return f'<div style="{BOX}">{render(root, 0)}</div>'


def index_html(index, filter_text: str = "", selected: str | None = None) -> str:
    """Header, object/scope tree with totals per subtree, and a table of the variables;
    both limited to keys containing `filter_text`, the `selected` key highlighted."""
    shown = [v for v in index.variables if filter_text.lower() in v.key.lower()]
    by_key = {v.key: v for v in shown}
    mark = ' style="background:#fff3cd;font-weight:bold"'

    def leaf(node: ScopeNode) -> str:
        v = by_key[node.key]
        return (f"<code>{escape(shape_text(v.shape))}</code> {escape(v.dtype)} "
                f"{escape(human_bytes(v.nbytes))} {badge_html(v.kind)}")

    totals = index.totals()
    rows = "".join(
        f'<tr{mark if v.key == selected else ""}>'
        f'<td style="{CELL}"><code>{escape(v.path)}</code></td>'
        f'<td style="{CELL}">{escape(shape_text(v.shape))}</td><td style="{CELL}">{v.dtype}'
        f'</td><td style="{CELL}">{human_bytes(v.nbytes)}</td>'
        f'<td style="{CELL}">{badge_html(v.kind)}</td></tr>' for v in shown)
    head = "".join(f'<th style="{CELL}">{h}</th>' for h in ("variable", "shape", "dtype",
                                                             "size", "kind"))
    shown_note = (f" ({len(shown)} shown, filter '{escape(filter_text)}')" if filter_text
                  else "")
    tree = build_tree((v.path, v.key, v.elements, v.nbytes) for v in shown)
    return (f'<div style="{BOX}" class="ckptlab-checkpoint"><b>{escape(index.path)}</b> '
            f"({index.format}, step {index.step}) - {totals['variables']} variables, "
            f"{human_count(totals['elements'])} values, {human_bytes(totals['bytes'])}"
            f"{shown_note}{tree_html(tree, leaf)}"
            f'<table style="border-collapse:collapse"><tr>{head}</tr>{rows}</table></div>')


def diff_html(diff) -> str:
    rows = [(v.key, "added") for v in diff.added] + [(v.key, "removed") for v in diff.removed]
    rows += [(a.key, "changed") for a, _ in diff.shape_changed]
    rows += [(c.key, "changed" if c.changed else "unchanged") for c in diff.values]
    body = "".join(f'<tr><td style="{CELL}"><code>{escape(k)}</code></td>'
                   f'<td style="{CELL}">{badge_html(s)}</td></tr>' for k, s in rows)
    return (f'<div style="{BOX}"><b>{escape(diff.a.path)} -> {escape(diff.b.path)}</b>'
            f'<table style="border-collapse:collapse">{body}</table></div>')
