"""A scope tree with totals per subtree, built from slash-separated names.

Generic: works for TF1 variable scopes, object paths and Keras 3 HDF5 paths alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ckptlab.scopes.names import split_scope

__all__ = ["ScopeNode", "build_tree"]


@dataclass(frozen=True)
class ScopeNode:
    """One scope (or one variable, when `key` is set) and the totals beneath it."""

    name: str  # last path part; '' for the root
    path: str  # full path from the root, '' for the root
    children: tuple[ScopeNode, ...] = ()
    key: str | None = None  # the checkpoint key when this node is a variable
    variables: int = 0  # variables in this subtree
    elements: int = 0  # scalar values in this subtree
    nbytes: int = 0  # bytes in this subtree

    @property
    def is_leaf(self) -> bool:
        return self.key is not None

    def walk(self, depth: int = 0) -> Iterator[tuple[int, ScopeNode]]:
        """(depth, node) for this node and every descendant, depth-first, in order."""
        yield depth, self
        for child in self.children:
            yield from child.walk(depth + 1)

    def find(self, path: str) -> ScopeNode | None:
        node: ScopeNode | None = self
        for part in split_scope(path):
            node = next((c for c in node.children if c.name == part), None) if node else None
        return node


def build_tree(items: Iterable[tuple[str, str, int, int]]) -> ScopeNode:
    """Build the tree from (path, key, elements, nbytes) tuples; children sorted by name.

    `path` decides the place in the tree (e.g. an object path), `key` is what the leaf
    stands for (e.g. the full checkpoint key). A path that is both a variable and a
    scope (rare, 'a' and 'a/b') keeps both: the variable as a leaf named 'a'.
    """
    nested: dict = {}
    for path, key, elements, nbytes in items:
        level = nested
        for part in split_scope(path)[:-1] or []:
            level = level.setdefault(("scope", part), {})
        parts = split_scope(path)
        leaf = parts[-1] if parts else path
        level[("leaf", leaf)] = (key, elements, nbytes)
    return _freeze("", "", nested)


def _freeze(name: str, path: str, level: dict) -> ScopeNode:
    children = []
    for (kind, part), value in sorted(level.items(), key=lambda item: (item[0][1], item[0][0])):
        child_path = f"{path}/{part}" if path else part
        if kind == "leaf":
            key, elements, nbytes = value
            children.append(ScopeNode(part, child_path, (), key, 1, elements, nbytes))
        else:
            children.append(_freeze(part, child_path, value))
    return ScopeNode(
        name, path, tuple(children), None,
        sum(c.variables for c in children),
        sum(c.elements for c in children),
        sum(c.nbytes for c in children),
    )
