"""The mode tracer: build a model_fn in TRAIN, EVAL and PREDICT, each in a fresh graph.

`trace_modes(model_fn)` does what an Estimator does before it opens a session (a new
tf.Graph, a global step, placeholders for the inputs, one model_fn call) for each mode,
runs nothing, and records per mode the variables in creation order, op counts,
collections, the EstimatorSpec fields or the error. The comparison (`compare_modes`)
names what will break or silently go wrong when EVAL/PREDICT restore a TRAIN checkpoint.
"""

from __future__ import annotations

import inspect
import os
import sys
import traceback
from collections.abc import Callable, Mapping
from typing import Any

import tensorflow as tf

from ckptlab.errors import UsageError
from ckptlab.estimator.capture import VariableCapture, graph_facts
from ckptlab.source_location import location
from ckptlab.trace.mode_records import (
    MODES,
    PREDICT,
    ModeError,
    ModeReport,
    ModeTrace,
    TracedVariable,
    compare_modes,
)

__all__ = ["trace_modes"]

_v1 = tf.compat.v1
# TensorFlow's site-packages (Keras, tf_keras too) and ckptlab itself: not the learner's code
_LIBRARY_DIRS = (os.path.dirname(os.path.dirname(tf.__file__)) + os.sep,
                 os.path.dirname(os.path.dirname(__file__)) + os.sep)
_SPEC_FIELDS = ("predictions", "loss", "train_op", "eval_metric_ops", "export_outputs",
                "training_hooks", "evaluation_hooks", "prediction_hooks", "scaffold")
_ACCEPTED_ARGS = {"features", "labels", "mode", "params", "config"}
# what Estimator.predict() (tf.estimator 2.15 and the engine) raises on its first example
# when PREDICT's predictions dict is empty: it takes the batch length from the dict
_EMPTY_PREDICTIONS = (
    "'NoneType' object cannot be interpreted as an integer: predict() raises this on its "
    "first example because the PREDICT EstimatorSpec's predictions dict is empty, so it "
    "cannot tell how many examples a batch holds; return at least one tensor, e.g. "
    "predictions={'y': outputs}.")


def _learner_origin() -> str:
    """'file.py:12' of the innermost frame outside TensorFlow, Keras and ckptlab."""
    frame = sys._getframe(1)
    while frame is not None:
        path = frame.f_code.co_filename
        if (not path.startswith(_LIBRARY_DIRS) and "site-packages" not in path
                and not path.startswith("<frozen")):
            return location(path, frame.f_lineno, "{file}:{line}")
        frame = frame.f_back
    return ""


class _OriginCapture(VariableCapture):
    """VariableCapture that also remembers which line of the learner's code made each one."""

    def __init__(self) -> None:
        super().__init__()
        self.origins: list[str] = []

    def _creator(self, next_creator: Any, **kwargs: Any) -> Any:
        variable = super()._creator(next_creator, **kwargs)
        self.origins.append(_learner_origin())
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


def _arguments(model_fn: Callable, mode: str, features, labels, params, config) -> dict:
    names = set(inspect.signature(model_fn).parameters)
    unknown = names - _ACCEPTED_ARGS
    if "features" not in names:
        raise ValueError("model_fn must include a features argument.")
    if unknown:
        raise ValueError(f"model_fn has following not expected args: {sorted(unknown)}")
    values = {"features": features, "labels": labels, "mode": mode, "params": params,
              "config": config}
    return {key: value for key, value in values.items() if key in names}


def _error_of(error: BaseException) -> ModeError:
    origin = ""
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if not frame.filename.startswith(_LIBRARY_DIRS) and "site-packages" not in frame.filename:
            origin = location(frame.filename, frame.lineno, "{file}:{line}")
            break
    message = str(error).split("\n\n")[0].strip()
    return ModeError(type(error).__name__, message, origin)


def _predict_failure(mode: str, spec: Any) -> ModeError | None:
    """The error predict() will raise for a spec that builds fine, or None."""
    predictions = spec.predictions
    if mode == PREDICT and isinstance(predictions, Mapping) and not predictions:
        return ModeError("TypeError", _EMPTY_PREDICTIONS)
    return None


def trace_mode(model_fn: Callable, mode: str, params: Any = None, features: Any = None,
               labels: Any = None, config: Any = None) -> ModeTrace:
    """Build model_fn once in `mode` in a fresh graph; never raises for the model's errors."""
    graph = tf.Graph()
    spec, error = None, None
    with graph.as_default(), _OriginCapture() as capture:
        try:
            _v1.train.get_or_create_global_step()  # the Estimator makes it before model_fn
            feature_tensors = _inputs(features, [None, 4], "features")
            label_tensors = None if mode == PREDICT else _inputs(labels, [None, 1], "labels")
            spec = model_fn(**_arguments(model_fn, mode, feature_tensors, label_tensors,
                                         params if params is not None else {}, config))
            if not all(hasattr(spec, field) for field in ("predictions", "loss", "mode")):
                raise ValueError("model_fn should return an EstimatorSpec.")
            error = _predict_failure(mode, spec)
        except Exception as failure:  # recorded, not raised: the other modes still run
            error = _error_of(failure)
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
                labels: Any = None) -> ModeReport:
    """Build `model_fn` in TRAIN, EVAL and PREDICT (fresh graph each, no session).

    features/labels: None for the defaults ({"x": float32 [None, 4]} and float32
    [None, 1] placeholders), a shape list, a {name: shape} dict, numpy arrays (become
    constants) or a function returning tensors (called inside each mode's graph).
    """
    if not callable(model_fn):
        raise UsageError("trace_modes needs a model_fn function.",
                         fix="pass the function itself: trace_modes(model_fn)",
                         received=model_fn)
    traces = tuple(trace_mode(model_fn, mode, params, features, labels) for mode in MODES)
    return ModeReport(traces, compare_modes(traces))
