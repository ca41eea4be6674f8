"""`ModeKeys` and a validated `EstimatorSpec`, with tf.estimator 2.15's checks and messages."""

from __future__ import annotations

import collections
import sys
from typing import Any

import tensorflow as tf

from ckptlab import mode_names
from ckptlab.tf_private import export_utils, tensor_types

__all__ = ["EstimatorSpec", "ModeKeys"]

_v1 = tf.compat.v1


class ModeKeys:
    """The mode a model_fn is called in (same strings as tf.estimator)."""

    TRAIN = mode_names.TRAIN
    EVAL = mode_names.EVAL
    PREDICT = mode_names.PREDICT


_NOT_DEFAULT_GRAPH = (
    '{0} with "{1}" must be from the default graph. '
    "Possible causes of this error include: \n\n"
    "1) {0} was created outside the context of the default graph."
    "\n\n"
    "2) The object passed through to EstimatorSpec was not created "
    'in the most recent call to "model_fn".')

_FIELDS = ("mode", "predictions", "loss", "train_op", "eval_metric_ops", "export_outputs",
           "training_chief_hooks", "training_hooks", "scaffold", "evaluation_hooks",
           "prediction_hooks")


def _is_tensor(value: Any) -> bool:
    return isinstance(value, tensor_types.Tensor)


def _tensor(value: Any, name: str) -> Any:
    if not _is_tensor(value):
        raise TypeError(f"{name} must be Tensor, given: {value}")
    return value


def _in_default_graph(value: Any, what: str, label: str) -> None:
    if value.graph is not _v1.get_default_graph():
        raise ValueError(_NOT_DEFAULT_GRAPH.format(what, label))


def _train_op(train_op: Any, mode: str) -> Any:
    if train_op is None:
        if mode == ModeKeys.TRAIN:
            raise ValueError("Missing train_op.")
        return None
    if not isinstance(train_op, tf.Operation | tensor_types.Tensor):
        raise TypeError(f"train_op must be Operation or Tensor, given: {train_op}")
    if isinstance(train_op, tf.Variable):
        train_op = train_op.op
    _in_default_graph(train_op, "train_op", train_op.name)
    return train_op


def _loss(loss: Any, mode: str) -> Any:
    if loss is None:
        if mode in (ModeKeys.TRAIN, ModeKeys.EVAL):
            raise ValueError("Missing loss.")
        return None
    loss = _tensor(loss, "loss")
    shape = loss.get_shape()
    if shape.num_elements() not in (None, 1):
        raise ValueError(f"Loss must be scalar, given: {loss}")
    if not shape.is_compatible_with(tf.TensorShape([])):
        loss = tf.reshape(loss, [])
    _in_default_graph(loss, "loss", loss.name)
    return loss


def _predictions(predictions: Any, mode: str) -> Any:
    if predictions is None:
        if mode == ModeKeys.PREDICT:
            raise ValueError("Missing predictions.")
        return {}
    if isinstance(predictions, dict):
        predictions = {key: _tensor(value, f"predictions[{key}]")
                       for key, value in predictions.items()}
        for key, value in predictions.items():
            _in_default_graph(value, "prediction values", f"{key}: {value.name}")
        return predictions
    predictions = _tensor(predictions, "predictions")
    _in_default_graph(predictions, "prediction values", predictions.name)
    return predictions


def checked_hooks(hooks: Any, complaint: str = "All hooks must be SessionRunHook instances"
                  ) -> tuple:
    """The hooks as a tuple; TypeError '<complaint>, given: <hook>' for a non-hook."""
    hooks = tuple(hooks or [])
    for hook in hooks:
        if not isinstance(hook, _v1.train.SessionRunHook):
            raise TypeError(f"{complaint}, given: {hook}")
    return hooks



def _keras_metric_classes() -> tuple:
    """tf.keras's Metric class (tf_keras under the shim); Keras 3's too if it is loaded."""
    classes = [tf.keras.metrics.Metric]
    keras = sys.modules.get("keras")
    if getattr(getattr(keras, "metrics", None), "Metric", None) is not None:
        classes.append(keras.metrics.Metric)
    return tuple(classes)


def _add_to_collection(key: str, variables: set) -> None:
    known = set(_v1.get_collection(key))
    for variable in variables - known:
        _v1.add_to_collection(key, variable)


def _metric_ops(metric_ops: Any) -> dict:
    """(value, update_op) pairs; a Keras Metric object becomes (result(), its update)."""
    if metric_ops is None:
        return {}
    if not isinstance(metric_ops, dict):
        raise TypeError(f"eval_metric_ops must be a dict, given: {metric_ops}")
    metric_classes = _keras_metric_classes()
    for key, value in metric_ops.items():
        if isinstance(value, metric_classes):
            if not value.updates:
                raise ValueError(
                    f'Please call update_state(...) on the "{value.name}" metric')
        elif not isinstance(value, tuple) or len(value) != 2:
            raise TypeError("Values of eval_metric_ops must be (metric_value, update_op) "
                            f"tuples, given: {value} for key: {key}")
    checked, metric_variables = {}, set()
    for key, value in metric_ops.items():
        if isinstance(value, metric_classes):
            items = [*value.updates, value.result()]
            checked[key] = (items[-1], value.updates[0])
            metric_variables.update(value.variables)
        else:
            items, checked[key] = tf.nest.flatten(value), value
        for item in items:
            _in_default_graph(item, "eval_metric_ops", f"{key}: {item.name}")
    # Keras metric variables belong to no collection: local ones are initialised
    _add_to_collection(_v1.GraphKeys.LOCAL_VARIABLES, metric_variables)
    _add_to_collection(_v1.GraphKeys.METRIC_VARIABLES, metric_variables)
    return checked


def _scaffold(scaffold: Any) -> Any:
    scaffold = scaffold or _v1.train.Scaffold()
    if not isinstance(scaffold, _v1.train.Scaffold):
        raise TypeError(f"scaffold must be tf.train.Scaffold. Given: {scaffold}")
    return scaffold


class EstimatorSpec(collections.namedtuple("EstimatorSpec", _FIELDS)):
    """What a model_fn returns: validated like tf.estimator.EstimatorSpec.

    TRAIN needs `loss` and `train_op`, EVAL needs `loss`, PREDICT needs `predictions`;
    every tensor must come from the graph of the current call.
    """

    def __new__(cls, mode, predictions=None, loss=None, train_op=None,
                eval_metric_ops=None, export_outputs=None, training_chief_hooks=None,
                training_hooks=None, scaffold=None, evaluation_hooks=None,
                prediction_hooks=None):
        train_op = _train_op(train_op, mode)
        loss = _loss(loss, mode)
        predictions = _predictions(predictions, mode)
        if mode == ModeKeys.PREDICT:
            export_outputs = export_utils.get_export_outputs(export_outputs, predictions)
        return super().__new__(
            cls, mode=mode, predictions=predictions, loss=loss, train_op=train_op,
            eval_metric_ops=_metric_ops(eval_metric_ops), export_outputs=export_outputs,
            training_chief_hooks=checked_hooks(training_chief_hooks),
            training_hooks=checked_hooks(training_hooks), scaffold=_scaffold(scaffold),
            evaluation_hooks=checked_hooks(evaluation_hooks),
            prediction_hooks=checked_hooks(prediction_hooks))

    def _replace(self, **changes):
        if "mode" in changes and self.mode != changes["mode"]:
            raise ValueError("mode of EstimatorSpec cannot be changed.")
        return EstimatorSpec(**{**self._asdict(), **changes})
