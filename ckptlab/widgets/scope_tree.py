"""ScopeTree: a keyboard-usable tree of scopes (name-based) or objects (object-based).

Rows with the totals of each subtree on the scope rows; scopes open and close. The
rows are computed here (`ckptlab.render.scope_tree`); `scope_tree.js` only draws them
(role="tree", Up/Down/Left/Right/Enter/Space) and reports "pick" and "toggle" actions.
Picking a row calls `on_pick(kind, path)`. Every action is a public method.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import anywidget
import traitlets

from ckptlab.render.scope_tree import VARIABLE, TreeRow, tree_rows
from ckptlab.scopes import ScopeNode, parent_scope

__all__ = ["ScopeTree"]

_HERE = Path(__file__).resolve().parent


class ScopeTree(anywidget.AnyWidget):
    """Rows of a ScopeNode tree; `on_pick(kind, path)` runs when a person picks a row."""

    _esm = _HERE / "scope_tree.js"
    _css = _HERE / "scope_tree.css"
    rows = traitlets.List(help="the visible rows, TreeRow.to_dict() each").tag(sync=True)
    selected = traitlets.Unicode("", help="id ('kind:path') of the selected row").tag(sync=True)
    dom_id = traitlets.Unicode(help="prefix of the row element ids").tag(sync=True)

    def __init__(self, on_pick: Callable[[str, str], None],
                 leaf: Callable[[ScopeNode], str] | None = None):
        super().__init__(dom_id=f"ckptlab-tree-{uuid.uuid4().hex[:8]}")
        self._on_pick, self._leaf = on_pick, leaf
        self.root = ScopeNode("", "")
        self.collapsed: set[str] = set()
        self.tree_rows: list[TreeRow] = []
        self.on_msg(self._message)

    # -- public actions -------------------------------------------------------------
    def show(self, root: ScopeNode, open_all: bool = False) -> None:
        """Show a new tree (e.g. after filtering); keeps which scopes are closed."""
        self.root = root
        if open_all:
            self.collapsed.clear()
        self._render()

    def pick(self, kind: str, path: str) -> None:
        """What a click or Enter on a row does."""
        self.selected = f"{kind}:{path}"
        self._on_pick(kind, path)

    def toggle(self, path: str | None = None) -> None:
        """Open a closed scope or close an open one (default: the selected scope)."""
        if path is None:
            kind, _, path = self.selected.partition(":")
            if kind != "scope":
                return
        self.collapsed.symmetric_difference_update({path})
        self._render()

    def reveal(self, key: str) -> None:
        """Open every scope above the variable `key` and mark it selected (no callback)."""
        leaf = next((n for _, n in self.root.walk() if n.key == key), None)
        scope = parent_scope(leaf.path) if leaf else ""
        while scope:
            self.collapsed.discard(scope)
            scope = parent_scope(scope)
        self.selected = f"{VARIABLE}:{key}"
        self._render()

    @property
    def labels(self) -> list[str]:
        return [row.label for row in self.tree_rows]

    # -- internals --------------------------------------------------------------------
    def _render(self) -> None:
        self.tree_rows = tree_rows(self.root, self.collapsed, self._leaf)
        self.rows = [row.to_dict() for row in self.tree_rows]

    def _message(self, _widget, content, _buffers) -> None:
        kind, _, path = str(content.get("id", "")).partition(":")
        if content.get("action") == "pick" and kind:
            self.pick(kind, path)
        elif content.get("action") == "toggle" and kind == "scope":
            self.toggle(path)
