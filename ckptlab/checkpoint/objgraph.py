"""Decode the object graph of an object-based checkpoint (TrackableObjectGraph proto).

Gives every object its path from the root (first breadth-first path, like TensorFlow),
which object owns each variable, and which variable each optimizer slot belongs to.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from ckptlab.checkpoint.wire import fields, first, repeated
from ckptlab.scopes import keras3_slot_of_path

__all__ = ["ObjectGraph", "ObjectNode", "decode_object_graph"]

_MAX_ALIASES = 8


@dataclass(frozen=True)
class ObjectNode:
    node_id: int
    path: str  # '' for the root, else 'model/dense1/_kernel'
    children: tuple[tuple[str, int], ...]  # (attribute name, node id)
    keys: tuple[str, ...]  # checkpoint keys saved for this object (its attributes)
    slots: tuple[tuple[str, int, int], ...] = ()  # (slot name, variable id, slot variable id)
    aliases: tuple[str, ...] = ()  # every path that reaches this object (first = path)

    @property
    def is_variable(self) -> bool:
        return any(key.endswith("/.ATTRIBUTES/VARIABLE_VALUE") for key in self.keys)


@dataclass(frozen=True)
class ObjectGraph:
    nodes: tuple[ObjectNode, ...]

    def aliases_of_key(self) -> dict[str, tuple[str, ...]]:
        """checkpoint key -> every object path of the object that holds it."""
        return {key: node.aliases for node in self.nodes for key in node.keys}

    def slot_owners(self) -> dict[str, tuple[str, str]]:
        """slot variable's checkpoint key -> (path of the variable it belongs to, slot).

        Uses the graph's slot references (tf.train optimizers, tf_keras) and Keras 3's
        parallel lists (`_momentums/i` belongs to `_trainable_variables/i`).
        """
        owners: dict[str, tuple[str, str]] = {}
        for node in self.nodes:
            for slot, variable_id, slot_id in node.slots:
                if slot_id < len(self.nodes) and variable_id < len(self.nodes):
                    for key in self.nodes[slot_id].keys:
                        owners[key] = (self.nodes[variable_id].path, slot)
        by_path = {alias: node for node in self.nodes for alias in node.aliases}
        for node in (n for n in self.nodes if n.is_variable):
            for alias in node.aliases:
                ref = keras3_slot_of_path(alias)
                if ref and ref[0] in by_path:
                    for key in node.keys:
                        owners.setdefault(key, (by_path[ref[0]].path, ref[1]))
        return owners


def _node(message: bytes) -> tuple[list[tuple[str, int]], list[str], list[tuple[str, int, int]]]:
    pairs = fields(message)
    children = []
    for child in repeated(pairs, 1):
        child_pairs = fields(child)
        children.append((first(child_pairs, 2, b"").decode(), int(first(child_pairs, 1, 0))))
    keys = [first(fields(attr), 3, b"").decode() for attr in repeated(pairs, 2)]
    slots = []
    for slot in repeated(pairs, 3):
        slot_pairs = fields(slot)
        slots.append((first(slot_pairs, 2, b"").decode(), int(first(slot_pairs, 1, 0)),
                      int(first(slot_pairs, 3, 0))))
    return children, keys, slots


def decode_object_graph(data: bytes) -> ObjectGraph:
    raw = [_node(message) for message in repeated(fields(data), 1)]
    paths: dict[int, list[str]] = {0: [""]} if raw else {}
    queue = deque([0] if raw else [])
    while queue:  # breadth-first: the first path found is the one TensorFlow uses
        current = queue.popleft()
        base = paths[current][0]
        for name, child in raw[current][0]:
            if child >= len(raw):
                continue
            path = f"{base}/{name}" if base else name
            if child not in paths:
                paths[child] = [path]
                queue.append(child)
            elif len(paths[child]) < _MAX_ALIASES:
                paths[child].append(path)
    nodes = tuple(
        ObjectNode(i, paths.get(i, [f"<unreachable {i}>"])[0], tuple(children), tuple(keys),
                   tuple(slots), tuple(paths.get(i, ())))
        for i, (children, keys, slots) in enumerate(raw)
    )
    return ObjectGraph(nodes)
