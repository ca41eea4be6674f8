"""Diagnosers of what the model does (both tracks): predictions on the checker's probes
compared between two ways of asking for them that a model says must agree."""

from __future__ import annotations

import numpy as np

from ckptlab.checker.codes import make_finding
from ckptlab.checker.explain import diagnoser
from ckptlab.checker.findings import Finding
from ckptlab.checker.judge import OUTPUT_TOLERANCE, TOLERANCE
from ckptlab.checker.observations import Observations

__all__ = ["predictions_depend_on_batch"]


def _probes(obs: Observations) -> tuple[np.ndarray, np.ndarray, float | None]:
    """(one at a time, in one batch, largest gap between two identical calls) per track."""
    if obs.track == "estimator":
        predict = obs.estimator.predict if obs.estimator else None
        if predict is None:
            return np.empty(0), np.empty(0), None
        random = predict.fixed_gap if predict.fixed_gap is not None else predict.largest_gap
        single, batched = predict.single_outputs, predict.batched_outputs
    else:
        trip = obs.tf2
        if trip is None or trip.repeat_gap is None:
            return np.empty(0), np.empty(0), None
        random, single = trip.repeat_gap, trip.single_outputs
        batched = trip.saved_outputs[:len(single)]
    try:
        return np.asarray(single, float), np.asarray(batched, float), random
    except ValueError:  # ragged outputs: nothing to compare
        return np.empty(0), np.empty(0), None


@diagnoser("estimator", "tf2")
def predictions_depend_on_batch(obs: Observations) -> list[Finding]:
    single, batched, random = _probes(obs)
    if single.ndim != 2 or single.shape != batched.shape or len(single) < 2 \
            or random is None or random > TOLERANCE:
        return []  # nothing to compare, or a random model (its own finding)
    if np.ptp(single, axis=0).max() <= TOLERANCE:
        return []  # every example alone gives one output: PREDICTIONS_IGNORE_INPUT
    gaps = np.abs(single - batched)
    scale = 1.0 + np.abs(single).max()
    if gaps.max() <= OUTPUT_TOLERANCE * scale:
        return []
    row = int(np.argmax(gaps.max(axis=1)))
    alone, together = single[row].round(4).tolist(), batched[row].round(4).tolist()
    if obs.track == "estimator":
        flag = "training=(mode == tf.estimator.ModeKeys.TRAIN)"
    else:
        flag = "training=training, passed on from call(self, x, training=False)"
    return [make_finding(
        "PREDICTIONS_DEPEND_ON_BATCH",
        f"The same {len(single)} probe examples got other predictions in one batch than one "
        f"at a time (up to {float(gaps.max()):.3g} apart): example {row + 1} alone gave "
        f"{alone}, in the batch {together}.",
        "Compute each example's prediction from that example only: reduce over the feature "
        "axis, axis=-1, never over the batch axis 0 or over no axis (the whole batch): "
        "tf.nn.l2_normalize(x, axis=-1), tf.reduce_max(tf.abs(x), axis=-1, keepdims=True), "
        f"tf.nn.softmax(logits, axis=-1); use batch statistics only in training ({flag}).",
        {"probe examples": len(single), "largest difference": float(gaps.max()),
         f"example {row + 1} alone": alone, f"example {row + 1} in the batch": together})]
