"""Both sides of a dry-run restore (`MatchReport`), one row per variable, for ScopeExplorer.

Pure Python. Model side: each variable the target asks for, its state (a palette.STATE_LOOK
key: matched, missing, mismatch, swapped) and the checkpoint key it will be restored from.
Checkpoint side: each key, and whether someone restores it (matched / mismatch) or not
(unused). "swapped" is a match the checkpoint layer suspects is the wrong variable (a
rename suggestion on a name that was found: auto-numbered names shifted).

HTML of both sides of a dry-run restore as trees (ScopeExplorer's panes and its static
fallback). Each variable shows its state as a colour AND a text label, and, on the model
side, the checkpoint key it will be restored from.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from html import escape

from ckptlab.render.palette import FONT_FAMILY, FONT_SIZE, badge_html
from ckptlab.render.units import shape_text
from ckptlab.scopes import ScopeNode, build_tree

__all__ = ["ScopeRow", "checkpoint_rows", "notes_html", "rows_tree", "scope_explorer_html",
           "state_counts_html", "target_rows", "tree_html"]


@dataclass(frozen=True)
class ScopeRow:
    name: str  # the variable name or object path (either side)
    shape: tuple[int, ...]
    state: str  # matched, missing, mismatch, swapped, unused
    key: str = ""  # the checkpoint key (model side: the one it is restored from, or '')
    detail: str = ""  # one sentence: the hint or the reason


def _swap_hint(report, spec, stored):
    """The rename suggestion that says this match restores the wrong variable, if any."""
    hint = next((r for r in report.suggestions if r.wanted == spec.name), None)
    return hint if hint and hint.found not in (stored.key, spec.name) else None


def target_rows(report) -> list[ScopeRow]:
    """The target's variables, sorted by name."""
    hints = {r.wanted: r for r in report.suggestions}
    rows = []
    for spec, stored in report.matched:
        hint = _swap_hint(report, spec, stored)
        if hint:
            rows.append(ScopeRow(spec.name, spec.shape, "swapped", stored.key,
                                 f"restored from '{stored.key}', but it probably belongs to "
                                 f"'{hint.found}': {hint.detail}"))
        else:
            rows.append(ScopeRow(spec.name, spec.shape, "matched", stored.key,
                                 f"restored from '{stored.key}'"))
    for spec in report.missing:
        hint = hints.get(spec.name)
        guess = f"; did you mean '{hint.found}'? ({hint.detail})" if hint else ""
        rows.append(ScopeRow(spec.name, spec.shape, "missing", "",
                             f"no key for it in the checkpoint{guess}"))
    for mismatch in report.mismatched:
        spec, stored = mismatch.spec, mismatch.stored
        wanted = shape_text(spec.shape) if mismatch.what == "shape" else spec.dtype
        found = shape_text(stored.shape) if mismatch.what == "shape" else stored.dtype
        hint = hints.get(spec.name)
        guess = f"; '{hint.found}' fits ({hint.detail})" if hint else ""
        rows.append(ScopeRow(spec.name, spec.shape, "mismatch", stored.key,
                             f"the model wants {wanted}, '{stored.key}' holds {found}{guess}"))
    return sorted(rows, key=lambda row: row.name)


def checkpoint_rows(report, index) -> list[ScopeRow]:
    """Every checkpoint variable, sorted by key: who restores it, if anyone."""
    users = {stored.key: ("swapped" if _swap_hint(report, spec, stored) else "matched",
                          f"restored into '{spec.name}'") for spec, stored in report.matched}
    users.update({m.stored.key: ("mismatch", f"'{m.spec.name}' asks for it with another "
                                             f"{m.what}") for m in report.mismatched})
    unused = {v.key for v in report.unused}
    rows = []
    for variable in index.variables:  # placed by path: the object path or the name
        if variable.key in users:
            state, detail = users[variable.key]
            rows.append(ScopeRow(variable.path, variable.shape, state, variable.key, detail))
        elif variable.key in unused:
            rows.append(ScopeRow(variable.path, variable.shape, "unused", variable.key,
                                 "no variable of the model asks for it"))
    return sorted(rows, key=lambda row: row.name)


def rows_tree(rows: list[ScopeRow]) -> ScopeNode:
    """The rows as a scope/object tree (leaf key = the row's name)."""
    return build_tree((row.name, row.name, 1, 0) for row in rows)


PANE = (f"font-family:{FONT_FAMILY}; font-size:{FONT_SIZE}px; line-height:1.4; "
        "white-space:normal; overflow-wrap:anywhere")
STATES = ("matched", "swapped", "mismatch", "missing", "unused")


def state_counts_html(rows: list[ScopeRow]) -> str:
    """'matched 1 · missing from checkpoint 1': a state and its count never wrap apart."""
    counts = Counter(row.state for row in rows)
    return " · ".join(f'<span style="white-space:nowrap">{badge_html(state)} {counts[state]}'
                      "</span>" for state in STATES if counts[state])


def _leaf_html(row: ScopeRow, depth: int, leaf_name: str, selected: str, show_key: bool) -> str:
    chosen = row.name == selected
    style = "background:#fff8e1; font-weight:600;" if chosen else ""
    key = ""
    if show_key:
        key = (f' <span style="color:#555">← <code>{escape(row.key)}</code></span>' if row.key
               else ' <span style="color:#555">← nothing</span>')
    shape = shape_text(row.shape)
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


def notes_html(notes) -> str:
    """The dry run's notes (how the target was read; a swap a match by name cannot see)."""
    items = "".join(f"<li>{escape(note)}</li>" for note in notes)
    return (f'<ul style="margin:2px 0; padding-left:18px; color:#444">{items}</ul>'
            if items else "")


def scope_explorer_html(model_rows: list[ScopeRow], checkpoint_rows: list[ScopeRow],
                        title: str, notes=()) -> str:
    """The two trees side by side, under the title and the dry run's notes."""
    return (f'<div class="ckptlab-scope-explorer" style="{PANE}">'
            f'<div style="font-weight:600; font-size:15px">{escape(title)}</div>'
            f"{notes_html(notes)}"
            f'<div style="display:flex; flex-wrap:wrap; gap:16px">'
            f'<div style="flex:1; min-width:300px">'
            f"{tree_html('model variables', model_rows, show_key=True)}</div>"
            f'<div style="flex:1; min-width:300px">'
            f"{tree_html('checkpoint keys', checkpoint_rows)}</div></div></div>")
