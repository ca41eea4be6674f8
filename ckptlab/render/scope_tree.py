"""A scope tree as a flat list of rows (for list and tree views).

Scope rows carry the totals of their subtree and whether they are open; variable rows
carry a detail (shape, dtype, size). Closed scopes hide their descendants. Pure Python.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass
from typing import Any

from ckptlab.render.units import human_bytes, human_count
from ckptlab.scopes import ScopeNode

__all__ = ["SCOPE", "VARIABLE", "TreeRow", "scope_totals", "tree_rows"]

SCOPE, VARIABLE = "scope", "variable"
OPEN, CLOSED = "\u25be", "\u25b8"  # small triangles down / right


@dataclass(frozen=True)
class TreeRow:
    kind: str  # SCOPE or VARIABLE
    path: str  # scope path, or the variable's key for VARIABLE rows
    depth: int
    name: str
    detail: str  # totals for scopes, shape/dtype/size for variables
    is_open: bool = False  # scopes only

    @property
    def row_id(self) -> str:
        return f"{self.kind}:{self.path}"

    @property
    def label(self) -> str:
        """The row as plain text: indentation, open/closed marker, name, detail."""
        indent = "  " * self.depth
        if self.kind == SCOPE:
            return f"{indent}{OPEN if self.is_open else CLOSED} {self.name}/  [{self.detail}]"
        return f"{indent}  {self.name}  {self.detail}"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "id": self.row_id}


def scope_totals(node: ScopeNode) -> str:
    return (f"{node.variables} variable{'s' if node.variables != 1 else ''}, "
            f"{human_count(node.elements)} values, {human_bytes(node.nbytes)}")


def tree_rows(root: ScopeNode, collapsed: Collection[str] = (),
              leaf: Callable[[ScopeNode], str] | None = None) -> list[TreeRow]:
    """Rows of `root`'s descendants in order; `collapsed` scope paths hide their subtrees."""
    rows: list[TreeRow] = []
    stack = [(child, 0) for child in reversed(root.children)]  # no recursion: deep trees
    while stack:
        node, depth = stack.pop()
        if node.is_leaf:
            detail = leaf(node) if leaf else human_bytes(node.nbytes)
            rows.append(TreeRow(VARIABLE, node.key or node.path, depth, node.name, detail))
            continue
        is_open = node.path not in collapsed
        rows.append(TreeRow(SCOPE, node.path, depth, node.name, scope_totals(node), is_open))
        if is_open:
            stack.extend((child, depth + 1) for child in reversed(node.children))
    return rows
