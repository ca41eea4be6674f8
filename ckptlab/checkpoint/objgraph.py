"""Decode the object graph of an object-based checkpoint (TrackableObjectGraph proto).

Gives every object its path from the root (first breadth-first path, like TensorFlow),
which object owns each variable, and which variable each optimizer slot belongs to.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from ckptlab.checkpoint.wire import Message, WireError
from ckptlab.scopes import keras3_slot_of_path

__all__ = ["ObjectGraph", "ObjectNode", "decode_object_graph"]

_MAX_ALIASES = 8
PATH_BUDGET = 16 << 20  # characters of object paths: ~5,000 objects 1,500 levels deep


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
        done: set[int] = set()  # each slot variable once (a damaged graph may repeat them)
        for node in self.nodes:
            for slot, variable_id, slot_id in node.slots:
                if 0 <= slot_id < len(self.nodes) and 0 <= variable_id < len(self.nodes) \
                        and slot_id not in done:
                    done.add(slot_id)
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


def _node(message: Message) -> tuple[list, list, list]:
    """(children as (name, id), checkpoint keys, slots as (name, variable id, slot id))."""
    children = [(child.text(2, "local_name"), child.int32(1, "node_id"))
                for child in message.messages(1, "children", "a child reference")]
    keys = [attribute.text(3, "checkpoint_key")
            for attribute in message.messages(2, "attributes", "an attribute")]
    slots = [(slot.text(2, "slot_name"), slot.int32(1, "original_variable_node_id"),
              slot.int32(3, "slot_variable_node_id"))
             for slot in message.messages(3, "slot_variables", "a slot variable")]
    return children, keys, slots


def decode_object_graph(data: bytes) -> ObjectGraph:
    """The graph's nodes with their paths (WireError when the proto is damaged)."""
    graph = Message(data, "the object graph")
    raw = [_node(node) for node in graph.messages(1, "nodes", "an object of the graph")]
    paths: dict[int, list[str]] = {0: [""]} if raw else {}
    queue = deque([0] if raw else [])
    used = 0
    while queue:  # breadth-first: the first path found is the one TensorFlow uses
        current = queue.popleft()
        base = paths[current][0]
        for name, child in raw[current][0]:
            if not 0 <= child < len(raw):
                continue
            path = f"{base}/{name}" if base else name
            if child in paths and len(paths[child]) >= _MAX_ALIASES:
                continue
            used += len(path)
            if used > PATH_BUDGET:
                raise WireError(f"the object graph's paths add up to more than "
                                f"{PATH_BUDGET:,} characters ({len(raw):,} objects)")
            if child not in paths:
                paths[child] = [path]
                queue.append(child)
            else:
                paths[child].append(path)
    nodes = tuple(
        ObjectNode(i, paths.get(i, [f"<unreachable {i}>"])[0], tuple(children), tuple(keys),
                   tuple(slots), tuple(paths.get(i, ())))
        for i, (children, keys, slots) in enumerate(raw)
    )
    return ObjectGraph(nodes)
