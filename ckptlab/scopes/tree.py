"""A scope tree with totals per subtree, built from slash-separated names.

Generic: works for TF1 variable scopes, object paths and Keras 3 HDF5 paths alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ckptlab.scopes.names import split_scope

__all__ = ["PATH_BUDGET", "ScopeNode", "build_tree"]

PATH_BUDGET = 16 << 20  # characters of all scope paths of one tree


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
        """(depth, node) for this node and every descendant, depth-first, in order.

        Uses a stack, not recursion: real checkpoints have keys thousands of scopes deep."""
        stack = [(depth, self)]
        while stack:
            level, node = stack.pop()
            yield level, node
            stack.extend((level + 1, child) for child in reversed(node.children))

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

    Every scope holds its full path, so a key n levels deep costs about n^2/2 path
    characters: once all scope paths would pass PATH_BUDGET, the rest of a key becomes
    one leaf name ('s/s/s/.../kernel') instead of more levels.
    """
    nested: dict = {}
    used = 0
    for path, key, elements, nbytes in items:
        parts = split_scope(path)
        level, depth, prefix = nested, 0, 0
        for depth, part in enumerate(parts[:-1]):
            prefix += len(part) + bool(depth)
            child = ("scope", part)
            if child not in level:
                if used + prefix > PATH_BUDGET:
                    break
                used += prefix
                level[child] = {}
            level = level[child]
        else:
            depth = len(parts) - 1
        leaf = "/".join(parts[depth:]) if parts else path
        level[("leaf", leaf)] = (key, elements, nbytes)
    return _freeze("", "", nested)


def _sorted_items(level: dict) -> list:
    return sorted(level.items(), key=lambda item: (item[0][1], item[0][0]))


def _freeze(name: str, path: str, level: dict) -> ScopeNode:
    """The frozen tree of nested dicts, built bottom-up with a stack (no recursion)."""
    # each frame: (name, path, the sorted items, the children frozen so far)
    stack: list[tuple[str, str, list, list[ScopeNode]]] = [(name, path, _sorted_items(level), [])]
    while True:
        frame_name, frame_path, items, children = stack[-1]
        if len(children) < len(items):
            (kind, part), value = items[len(children)]
            child_path = f"{frame_path}/{part}" if frame_path else part
            if kind == "leaf":
                key, elements, nbytes = value
                children.append(ScopeNode(part, child_path, (), key, 1, elements, nbytes))
            else:
                stack.append((part, child_path, _sorted_items(value), []))
            continue
        node = ScopeNode(frame_name, frame_path, tuple(children), None,
                         sum(c.variables for c in children), sum(c.elements for c in children),
                         sum(c.nbytes for c in children))
        stack.pop()
        if not stack:
            return node
        stack[-1][3].append(node)
