"""Where each variable sits in the dataflow of a model_fn, per mode (structure, no values).

For every trainable variable: its shape, the other trainable variables upstream of the
ops that consume it, and the op types just downstream (e.g. BiasAdd, Relu). When a name
in one mode looks exactly like another name in TRAIN, the two modes use the names for
different layers: the checkpoint loads those weights into the wrong place.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import tensorflow as tf

from ckptlab.mode_names import PREDICT, TRAIN
from ckptlab.scopes.names import strip_output_suffix

__all__ = ["DATAFLOW_MODES", "positions_in"]

_v1 = tf.compat.v1
_VARIABLE_OPS = ("VarHandleOp", "VariableV2", "Variable")
MAX_OPS = 20000  # larger graphs are skipped: this is a teaching check, not a profiler
DATAFLOW_MODES = (TRAIN, PREDICT)


def _upstream_variables(op: tf.Operation, own: str) -> set[str]:
    seen, found, queue = {op}, set(), deque(t.op for t in op.inputs)
    while queue:
        current = queue.popleft()
        if current in seen:
            continue
        seen.add(current)
        if current.type in _VARIABLE_OPS:
            if current.name != own:
                found.add(current.name)
            continue
        queue.extend(t.op for t in current.inputs)
    return found


def _downstream_types(ops: set[tf.Operation], depth: int = 3) -> list[str]:
    types, frontier = set(), set(ops)
    for _ in range(depth):
        frontier = {c for op in frontier for out in op.outputs for c in out.consumers()
                    if "gradients" not in c.name}
        types |= {op.type for op in frontier if op.type not in ("Identity", "ReadVariableOp")}
    return sorted(types)


def _positions(graph: tf.Graph) -> dict[str, dict[str, Any]]:
    shapes = {strip_output_suffix(v.op.name): v.shape.as_list() for v in
              graph.get_collection(_v1.GraphKeys.TRAINABLE_VARIABLES)}
    trainable = set(shapes)
    consumers: dict[str, set[tf.Operation]] = {name: set() for name in trainable}
    for op in graph.get_operations():
        if op.type != "ReadVariableOp" and op.type not in ("Identity",):
            continue
        source = op.inputs[0].op if op.inputs else None
        if source is not None and source.name in consumers:
            consumers[source.name].update(c for out in op.outputs for c in out.consumers()
                                          if "gradients" not in c.name)
    positions = {}
    for name, ops in consumers.items():
        upstream: set[str] = set()
        for op in ops:
            upstream |= _upstream_variables(op, name)
        positions[name] = {"shape": shapes[name], "upstream": sorted(upstream & trainable),
                           "downstream": _downstream_types(ops)}
    return positions


def positions_in(graph: tf.Graph) -> dict[str, Any] | None:
    """{variable: {shape, upstream, downstream}} of a graph model_fn was built in (None
    when the graph is too big to walk). The checker reads the mode tracer's graphs
    (trace_modes(on_graph=...)) rather than building the model again."""
    return None if len(graph.get_operations()) > MAX_OPS else _positions(graph)

