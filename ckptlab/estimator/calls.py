"""Calling the learner's functions the way tf.estimator 2.15 does.

model_fn signature rules, which keyword arguments input_fn and model_fn receive, and how
an input_fn's result (a tf.data.Dataset, a (features, labels) tuple, or features alone)
becomes features, labels and the hooks that initialise a dataset iterator.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from ckptlab.estimator.spec import EstimatorSpec, ModeKeys
from ckptlab.tf_private import function_utils

__all__ = ["call_input_fn", "call_logit_fn", "call_model_fn", "extract_predict_keys",
           "mode_inputs", "model_fn_args", "model_fn_kwargs", "parse_input", "verify_model_fn_args"]

_v1 = tf.compat.v1
VALID_MODEL_FN_ARGS = {"features", "labels", "mode", "params", "self", "config"}


def model_fn_args(model_fn: Any) -> set[str]:
    """The argument names the Estimator passes by (a partial's bound keywords left out)."""
    return set(function_utils.fn_args(model_fn))


def _no_features(model_fn: Any) -> str:
    return f"model_fn ({model_fn}) must include features argument."


def _unexpected_args(model_fn: Any, args: set[str]) -> str | None:
    unexpected = list(args - VALID_MODEL_FN_ARGS)
    return f"model_fn ({model_fn}) has following not expected args: {unexpected}" if (
        unexpected) else None


def model_fn_signature_problem(model_fn: Any) -> str | None:
    """What keeps the Estimator from calling model_fn with its arguments (tf.estimator
    2.15's words), or None; params are not looked at (see verify_model_fn_args)."""
    args = model_fn_args(model_fn)
    return _no_features(model_fn) if "features" not in args else _unexpected_args(
        model_fn, args)


def verify_model_fn_args(model_fn: Any, params: Any) -> None:
    """tf.estimator 2.15's checks, in its order: features, params, unexpected names."""
    args = model_fn_args(model_fn)
    if "features" not in args:
        raise ValueError(_no_features(model_fn))
    if params is not None and "params" not in args:
        raise ValueError(f"model_fn ({model_fn}) does not include params argument, "
                         f"but params ({params}) is passed to Estimator.")
    if params is None and "params" in args:
        _v1.logging.warn("Estimator's model_fn (%s) includes params argument, but params "
                         "are not passed to Estimator.", model_fn)
    unexpected = _unexpected_args(model_fn, args)
    if unexpected:
        raise ValueError(unexpected)


def call_input_fn(input_fn: Any, mode: str, params: dict, config: Any) -> Any:
    """input_fn gets mode/params/config only if it names them; built on the CPU."""
    args = function_utils.fn_args(input_fn)
    kwargs = {key: value for key, value in
              (("mode", mode), ("params", params), ("config", config)) if key in args}
    with _v1.device("/cpu:0"):
        return input_fn(**kwargs)


class _IteratorInitializer(_v1.train.SessionRunHook):
    """Initialises a dataset's iterator once the session exists."""

    def __init__(self, iterator: Any):
        self._iterator = iterator

    def begin(self) -> None:
        self._initializer = self._iterator.initializer

    def after_create_session(self, session: Any, coord: Any) -> None:
        session.run(self._initializer)


def mode_inputs(input_fn: Any, mode: str, params: Any, config: Any = None) -> tuple[Any, Any, list]:
    """THE way a mode's inputs are built (engine, mode tracer, checker): input_fn called
    with what it names, its result split; PREDICT gets no labels. -> (features, labels, hooks)"""
    features, labels, hooks = parse_input(call_input_fn(input_fn, mode, params, config))
    return features, None if mode == ModeKeys.PREDICT else labels, hooks


def parse_input(result: Any) -> tuple[Any, Any, list]:
    """An input_fn result -> (features, labels or None, input hooks)."""
    hooks = []
    if isinstance(result, tf.data.Dataset):
        iterator = _v1.data.make_initializable_iterator(result)
        hooks.append(_IteratorInitializer(iterator))
        result = iterator.get_next()
    if isinstance(result, list | tuple):
        if len(result) != 2:
            raise ValueError("input_fn should return (features, labels) as a len 2 tuple.")
        return result[0], result[1], hooks
    return result, None, hooks


def input_never_ends(features: Any) -> bool:
    """True when predict's features come from neither a tf.data iterator nor a queue:
    tf.estimator then yields the same batch forever (and says so in a warning)."""
    tensors = [item for item in tf.nest.flatten(features) if isinstance(item, tf.Tensor)]
    if any(tensor.op.type == "IteratorGetNext" for tensor in tensors):
        return False
    return not _v1.get_default_graph().get_collection(_v1.GraphKeys.QUEUE_RUNNERS)


def warn_that_predict_never_ends() -> None:
    _v1.logging.warning("Input graph does not use tf.data.Dataset or contain a QueueRunner. "
                        "That means predict yields forever. This is probably a mistake.")


def model_fn_kwargs(model_fn: Any, features: Any, labels: Any, mode: str, params: Any,
                    config: Any) -> dict[str, Any]:
    """THE way model_fn is called in a mode (engine, mode tracer, checker): features always,
    labels/mode/params/config only if it names them; labels it cannot take raise."""
    args = model_fn_args(model_fn)
    kwargs: dict[str, Any] = {"features": features}
    if "labels" in args:
        kwargs["labels"] = labels
    elif labels is not None:
        raise ValueError("model_fn does not take labels, but input_fn returns labels.")
    for key, value in (("mode", mode), ("params", params), ("config", config)):
        if key in args:
            kwargs[key] = value
    return kwargs


def call_model_fn(model_fn: Any, features: Any, labels: Any, mode: str, params: dict,
                  config: Any, on_call: Any = None) -> EstimatorSpec:
    """Checks the arguments, then `on_call()` (if given) just before model_fn runs."""
    kwargs = model_fn_kwargs(model_fn, features, labels, mode, params, config)
    if on_call is not None:
        on_call()
    _v1.logging.info("Calling model_fn.")
    spec = model_fn(**kwargs)
    _v1.logging.info("Done calling model_fn.")
    if not isinstance(spec, EstimatorSpec):
        raise ValueError("model_fn should return an EstimatorSpec.")
    return spec


def call_logit_fn(logit_fn, features, mode, params, config):
    """logit_fn(features, [mode, params, config]) -> a Tensor or a {str: Tensor} dict."""
    args = function_utils.fn_args(logit_fn)
    kwargs = {key: value for key, value in
              (("mode", mode), ("params", params), ("config", config)) if key in args}
    result = logit_fn(features=features, **kwargs)
    valid_dict = isinstance(result, dict) and all(
        isinstance(key, str) and isinstance(value, tf.Tensor) for key, value in result.items())
    if not (valid_dict or isinstance(result, tf.Tensor)):
        raise ValueError("logit_fn should return a Tensor or a dictionary mapping strings to "
                         f"Tensors.  logit_fn returned: {result}")
    return result


def extract_predict_keys(predictions: Any, predict_keys: Any) -> Any:
    if not predict_keys:
        return predictions
    if not isinstance(predictions, dict):
        raise ValueError("predict_keys argument is not valid in case of non-dict predictions.")
    chosen = {key: value for key, value in predictions.items() if key in predict_keys}
    if not chosen:
        raise ValueError(f"Expected to run at least one output from {predictions.keys()}, "
                         f"provided {predict_keys}.")
    return chosen


def batch_length(values: dict) -> int | None:
    """The examples in one batch of dict predictions; None for an empty dict.

    predict() then fails on range(None) with TypeError, as tf.estimator 2.15 does
    (returning 0 here would make predict() loop forever without yielding).
    """
    length = None
    for key, value in values.items():
        length = length or value.shape[0]
        if value.shape[0] != length:
            raise ValueError(f"Batch length of predictions should be same. {key} has different "
                             "batch length than others.")
    return length
