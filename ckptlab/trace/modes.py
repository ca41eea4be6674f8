"""The mode tracer: build a model_fn in TRAIN, EVAL and PREDICT, each in a fresh graph.

`trace_modes(model_fn)` does what an Estimator does before it opens a session (a new
tf.Graph, a global step, placeholders for the inputs, one model_fn call) for each mode,
runs nothing, and records per mode the variables in creation order, op counts,
collections, the EstimatorSpec fields or the error. The comparison (`compare_modes`)
names what will break or silently go wrong when EVAL/PREDICT restore a TRAIN checkpoint.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import tensorflow as tf

from ckptlab.errors import UsageError
from ckptlab.estimator.calls import (
    mode_inputs,
    model_fn_args,
    model_fn_kwargs,
    model_fn_signature_problem,
)
from ckptlab.estimator.capture import VariableCapture, graph_facts
from ckptlab.learner_code import calling_location, error_location
from ckptlab.mode_names import MODES, PREDICT
from ckptlab.trace.mode_records import (
    ModeError,
    ModeReport,
    ModeTrace,
    TracedVariable,
    compare_modes,
)

__all__ = ["ModeBuild", "trace_modes"]

_v1 = tf.compat.v1
_SPEC_FIELDS = ("predictions", "loss", "train_op", "eval_metric_ops", "export_outputs",
                "training_hooks", "evaluation_hooks", "prediction_hooks", "scaffold")
# what Estimator.predict() (tf.estimator 2.15 and the engine) raises on its first example
# when PREDICT's predictions dict is empty: it takes the batch length from the dict
_EMPTY_PREDICTIONS = (
    "'NoneType' object cannot be interpreted as an integer: predict() raises this on its "
    "first example because the PREDICT EstimatorSpec's predictions dict is empty, so it "
    "cannot tell how many examples a batch holds; return at least one tensor, e.g. "
    "predictions={'y': outputs}.")


@dataclass(frozen=True)
class ModeBuild:
    """What model_fn was given and returned in a traced mode's graph (for on_graph)."""

    features: Any
    labels: Any
    spec: Any


class _OriginCapture(VariableCapture):
    """VariableCapture that also remembers which line of the learner's code made each one."""

    def __init__(self) -> None:
        super().__init__()
        self.origins: list[str] = []

    def _creator(self, next_creator: Any, **kwargs: Any) -> Any:
        variable = super()._creator(next_creator, **kwargs)
        self.origins.append(calling_location())
        return variable


def _describe(value: Any) -> str:
    if value is None or (isinstance(value, (Mapping, list, tuple)) and not value):
        return ""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_describe(v)}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__} of {len(value)}"
    if isinstance(value, tf.Tensor):
        shape = value.shape.as_list() if value.shape.rank is not None else "?"
        return f"Tensor {value.dtype.name} {shape}"
    if isinstance(value, tf.Operation):
        return f"Operation {value.type}"
    return type(value).__name__


def _inputs(spec: Any, default_shape: list, name: str) -> Any:
    """Placeholders (or constants / a callable's tensors) built inside the current graph."""
    if callable(spec):
        return spec()
    if spec is None:
        spec = {"x": default_shape} if name == "features" else default_shape
    if isinstance(spec, Mapping):
        return {key: _inputs(value, default_shape, f"{name}_{key}") for key, value in spec.items()}
    if hasattr(spec, "dtype") and hasattr(spec, "shape"):
        return tf.constant(spec)
    return _v1.placeholder(tf.float32, list(spec), name=name)


def _check_signature(model_fn: Callable) -> set[str]:
    """The names the Estimator passes model_fn, checked by the Estimator's own rule."""
    problem = model_fn_signature_problem(model_fn)
    if problem:
        raise ValueError(problem)
    return model_fn_args(model_fn)


def _mode_inputs(names: set[str], mode: str, params: Any, features: Any, labels: Any,
                 input_fn: Callable | None) -> tuple[Any, Any]:
    """The learner's input_fn as the Estimator calls it, else tensors made from the specs."""
    if input_fn is not None:
        return mode_inputs(input_fn, mode, params)[:2]
    feature_tensors = _inputs(features, [None, 4], "features")
    invented = labels is None and "labels" not in names  # no labels a model_fn cannot take
    label_tensors = None if mode == PREDICT or invented else _inputs(labels, [None, 1], "labels")
    return feature_tensors, label_tensors


def _error_of(error: BaseException) -> ModeError:
    origin = error_location(error)
    message = str(error).split("\n\n")[0].strip()
    return ModeError(type(error).__name__, message, origin)


def _predict_failure(mode: str, spec: Any) -> ModeError | None:
    """The error predict() will raise for a spec that builds fine, or None."""
    predictions = spec.predictions
    if mode == PREDICT and isinstance(predictions, Mapping) and not predictions:
        return ModeError("TypeError", _EMPTY_PREDICTIONS)
    return None


def trace_mode(model_fn: Callable, mode: str, params: Any = None, features: Any = None,
               labels: Any = None, config: Any = None, input_fn: Callable | None = None,
               on_graph: Callable[[str, tf.Graph, ModeBuild], None] | None = None
               ) -> ModeTrace:
    """Build model_fn once in `mode` in a fresh graph; never raises for the model's errors.

    on_graph(mode, graph, build): called with the graph once model_fn has returned in it
    and what it was given and returned (so a caller that reads or runs the graph, e.g. the
    dataflow or the checker's probes, need not build it again)."""
    graph = tf.Graph()
    spec, error, built = None, None, False
    feature_tensors = label_tensors = None
    with graph.as_default(), _OriginCapture() as capture:
        try:
            _v1.train.get_or_create_global_step()  # the Estimator makes it before model_fn
            params = params if params is not None else {}
            names = _check_signature(model_fn)
            feature_tensors, label_tensors = _mode_inputs(names, mode, params, features, labels,
                                                          input_fn)
            spec = model_fn(**model_fn_kwargs(model_fn, feature_tensors, label_tensors, mode,
                                              params, config))
            built = True
            if not all(hasattr(spec, field) for field in ("predictions", "loss", "mode")):
                raise ValueError("model_fn should return an EstimatorSpec.")
            error = _predict_failure(mode, spec)
        except Exception as failure:  # recorded, not raised: the other modes still run
            error = _error_of(failure)
    if built and on_graph is not None:
        on_graph(mode, graph, ModeBuild(feature_tensors, label_tensors, spec))
    variables = tuple(
        TracedVariable(fact.name, fact.scope, None if fact.shape is None else tuple(fact.shape),
                       fact.dtype, fact.trainable, fact.local, origin, fact.order)
        for fact, origin in zip(capture.variables, capture.origins, strict=True)
        if fact.name != "global_step")
    facts = graph_facts(graph)
    fields = {} if error else {f: _describe(getattr(spec, f, None)) for f in _SPEC_FIELDS}
    return ModeTrace(mode, variables, facts["op_counts"], facts["collections"],
                     {k: v for k, v in fields.items() if v}, error)


def trace_modes(model_fn: Callable, params: Any = None, features: Any = None,
                labels: Any = None, *, input_fn: Callable | None = None,
                on_graph: Callable[[str, tf.Graph, ModeBuild], None] | None = None
                ) -> ModeReport:
    """Build `model_fn` in TRAIN, EVAL and PREDICT (fresh graph each, no session).

    input_fn: the learner's, called in each mode's graph as the Estimator calls it (with
    the mode/params it names). Otherwise features/labels: None for the defaults
    ({"x": float32 [None, 4]} and float32 [None, 1] placeholders), a shape list, a
    {name: shape} dict, numpy arrays (become constants) or a function returning tensors.
    on_graph(mode, graph): see trace_mode.
    """
    if not callable(model_fn):
        raise UsageError("trace_modes needs a model_fn function.",
                         fix="pass the function itself: trace_modes(model_fn)",
                         received=model_fn)
    traces = tuple(trace_mode(model_fn, mode, params, features, labels, input_fn=input_fn,
                              on_graph=on_graph) for mode in MODES)
    return ModeReport(traces, compare_modes(traces))
