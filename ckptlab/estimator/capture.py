"""Capture what a tf.Graph holds while it is built: variables in creation order, op counts.

Reusable by the Estimator engine and the mode tracer. Usage::

    graph = tf.Graph()
    with graph.as_default(), VariableCapture() as capture:
        model_fn(...)                      # anything that creates variables
    record_graph(recorder, graph_id, graph, capture)   # variable_created... + graph_built

`VariableCapture` hooks variable creation through `tf.compat.v1.variable_creator_scope`
(one Python call per variable, nothing per op); `graph_facts` makes one pass over the
graph's ops. Both return plain values (`VariableFact`, dicts), never TensorFlow objects.
"""

from __future__ import annotations

import weakref
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

import tensorflow as tf

from ckptlab.events import Recorder
from ckptlab.scopes.names import strip_output_suffix

__all__ = ["GraphIds", "VariableCapture", "VariableFact", "graph_facts", "record_graph"]

_v1 = tf.compat.v1
_LOCAL = _v1.GraphKeys.LOCAL_VARIABLES
_METRIC = _v1.GraphKeys.METRIC_VARIABLES


@dataclass(frozen=True)
class VariableFact:
    """One variable as created: `scope` is the variable scope active at creation."""

    name: str  # without ':0'
    shape: list[int | None] | None  # None when the rank is unknown
    dtype: str
    trainable: bool
    scope: str
    order: int  # creation index within its graph
    local: bool  # a local (e.g. metric) variable, not saved in checkpoints

    def to_data(self) -> dict[str, Any]:
        return asdict(self)


def _shape_of(variable: Any) -> list[int | None] | None:
    shape = variable.shape
    return None if shape.rank is None else list(shape.as_list())


class VariableCapture:
    """Context manager recording each variable created while it is active, in order.

    Enter it inside `graph.as_default()`; nesting two captures records in both.
    """

    def __init__(self) -> None:
        self.variables: list[VariableFact] = []
        self._scope: Any = None

    def _creator(self, next_creator: Any, **kwargs: Any) -> Any:
        scope = _v1.get_variable_scope().name
        variable = next_creator(**kwargs)
        collections = kwargs.get("collections") or ()
        trainable = kwargs.get("trainable")
        self.variables.append(VariableFact(
            name=strip_output_suffix(variable.name), shape=_shape_of(variable),
            dtype=variable.dtype.base_dtype.name,
            trainable=bool(getattr(variable, "trainable", trainable)),
            scope=scope, order=len(self.variables),
            local=_LOCAL in collections or _METRIC in collections))
        return variable

    def __enter__(self) -> VariableCapture:
        self._scope = _v1.variable_creator_scope(self._creator)
        self._scope.__enter__()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._scope.__exit__(*exc_info)
        self._scope = None


def graph_facts(graph: tf.Graph) -> dict[str, Any]:
    """{"op_counts": {op type: count}, "collections": {name: size}, "ops": total}."""
    counts = Counter(op.type for op in graph.get_operations())
    collections = {str(key): len(graph.get_collection(key))
                   for key in graph.get_all_collection_keys()}
    return {"op_counts": dict(sorted(counts.items())), "collections": collections,
            "ops": sum(counts.values())}


class GraphIds:
    """Small integers naming graphs (1, 2, ...) in the order they are first seen."""

    def __init__(self) -> None:
        self._ids: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
        self._count = 0

    def of(self, graph: tf.Graph) -> int:
        if graph not in self._ids:
            self._count += 1
            self._ids[graph] = self._count
        return self._ids[graph]


def record_graph(recorder: Recorder, graph_id: int, graph: tf.Graph,
                 capture: VariableCapture | None = None) -> None:
    """Emit one variable_created per captured variable, then one graph_built."""
    if not recorder.enabled:
        return
    for fact in capture.variables if capture else ():
        recorder.emit("variable_created", graph=graph_id, **fact.to_data())
    recorder.emit("graph_built", graph=graph_id, **graph_facts(graph))
