"""Build one call's graph: seed, global step, input_fn, model_fn, recorded as it happens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import tensorflow as tf

from ckptlab.estimator.calls import (
    call_model_fn,
    input_never_ends,
    mode_inputs,
    warn_that_predict_never_ends,
)
from ckptlab.estimator.recording import CallRecording
from ckptlab.estimator.spec import EstimatorSpec, ModeKeys
from ckptlab.tf_private import training_util

__all__ = ["Built", "build_graph", "call_recorded_model_fn"]

_v1 = tf.compat.v1


@dataclass
class Built:
    graph: Any
    spec: EstimatorSpec
    input_hooks: list
    global_step: Any
    receiver: Any = None
    endless_input: bool = False  # PREDICT features that no dataset or queue ever ends


def build_graph(estimator: Any, rec: CallRecording, mode: str, input_fn: Any = None,
                receiver_fn: Any = None) -> Built:
    """Call input_fn (or a serving receiver_fn) and model_fn in the current default graph.

    Call inside `with tf.Graph().as_default():`; the caller runs the session in it.
    """
    graph, config = _v1.get_default_graph(), estimator.config
    capture = rec.capture()
    try:
        with capture:
            receiver, features, labels, input_hooks = _inputs(
                estimator, rec, mode, graph, input_fn, receiver_fn)
            spec = _recorded_model_fn(estimator, rec, features, labels, mode, config)
    finally:  # what was built is recorded even when model_fn or its spec fails
        rec.graph_built(graph, capture)
    endless = mode == ModeKeys.PREDICT and receiver_fn is None and input_never_ends(features)
    return Built(graph, spec, input_hooks, _v1.train.get_global_step(graph), receiver,
                 endless)


def _recorded_model_fn(estimator: Any, rec: CallRecording, features: Any, labels: Any,
                       mode: str, config: Any) -> EstimatorSpec:
    graph = _v1.get_default_graph()
    return call_model_fn(estimator._model_fn, features, labels, mode, estimator.params,
                         config, on_call=lambda: rec.model_fn_called(mode, graph))


def call_recorded_model_fn(estimator: Any, rec: CallRecording, features: Any, labels: Any,
                           mode: str, config: Any) -> EstimatorSpec:
    """model_fn in the current graph (Estimator.model_fn), recorded like a call's."""
    graph, capture = _v1.get_default_graph(), rec.capture()
    try:
        with capture:
            return _recorded_model_fn(estimator, rec, features, labels, mode, config)
    finally:
        rec.graph_built(graph, capture)


def _inputs(estimator: Any, rec: CallRecording, mode: str, graph: Any, input_fn: Any,
            receiver_fn: Any) -> tuple[Any, Any, Any, list]:
    """Seed, global step, then (receiver, features, labels, input hooks)."""
    _v1.set_random_seed(estimator.config.tf_random_seed)
    _v1.train.create_global_step(graph)
    if mode == ModeKeys.TRAIN:
        training_util._get_or_create_global_step_read(graph)
    if receiver_fn is not None:
        receiver = receiver_fn()
        return receiver, receiver.features, getattr(receiver, "labels", None), []
    rec.input_fn_called(mode, graph)
    features, labels, input_hooks = mode_inputs(input_fn, mode, estimator.params,
                                                estimator.config)
    if mode == ModeKeys.PREDICT and input_never_ends(features):
        warn_that_predict_never_ends()
    return None, features, labels, input_hooks
