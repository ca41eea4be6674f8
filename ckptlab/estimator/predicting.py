"""Estimator.predict: a generator; graph, session and restore happen on first next()."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import tensorflow as tf

from ckptlab.estimator.building import build_graph
from ckptlab.estimator.calls import batch_length, extract_predict_keys
from ckptlab.estimator.recording import CallRecording
from ckptlab.estimator.saving import light_scaffold
from ckptlab.estimator.spec import ModeKeys

__all__ = ["ENDLESS_INPUT_LIMIT", "EndlessPredictInput", "predict_model"]

_v1 = tf.compat.v1

# How many predictions one predict() may yield from an input that never ends before it
# raises EndlessPredictInput. None (the default) yields forever, as tf.estimator 2.15 does;
# ckptlab's checker sets a limit so that such a submission is answered in seconds.
ENDLESS_INPUT_LIMIT: int | None = None


class EndlessPredictInput(RuntimeError):
    """predict() was stopped: its input_fn gives plain tensors, so it would never end."""


def predict_model(estimator: Any, rec: CallRecording, input_fn: Any, predict_keys: Any,
                  hooks: list, checkpoint_path: str | None,
                  yield_single_examples: bool) -> Iterator[Any]:
    with tf.Graph().as_default() as graph:
        built = build_graph(estimator, rec, ModeKeys.PREDICT, input_fn)
        if not checkpoint_path and estimator._warm_start_settings:
            estimator._warm_start(rec)
        predictions = extract_predict_keys(built.spec.predictions, predict_keys)
        scaffold = rec.recorded_scaffold(light_scaffold(built.spec.scaffold))
        all_hooks = [*built.input_hooks, *hooks, *built.spec.prediction_hooks,
                     *rec.session_hooks(graph, scaffold)]
        creator = _v1.train.ChiefSessionCreator(
            checkpoint_filename_with_path=checkpoint_path, scaffold=scaffold,
            config=estimator.config.session_config)
        limit = ENDLESS_INPUT_LIMIT if built.endless_input else None
        with _v1.train.MonitoredSession(session_creator=creator, hooks=all_hooks) as session:
            yield from _stopped_after(_predictions(session, predictions, yield_single_examples),
                                      limit)


def _predictions(session: Any, predictions: Any, yield_single_examples: bool) -> Iterator[Any]:
    while not session.should_stop():
        values = session.run(predictions)
        if not yield_single_examples:
            yield values
        elif not isinstance(predictions, dict):
            yield from values
        else:
            for index in range(batch_length(values)):
                yield {key: value[index] for key, value in values.items()}


def _stopped_after(predictions: Iterator[Any], limit: int | None) -> Iterator[Any]:
    for count, prediction in enumerate(predictions):
        if limit is not None and count == limit:
            raise EndlessPredictInput(
                f"predict() was stopped after {limit} predictions: its input_fn returns "
                "plain tensors (no tf.data.Dataset), so it would yield the same batch "
                "forever. Return a finite tf.data.Dataset from the input_fn.")
        yield prediction
