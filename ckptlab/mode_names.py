"""The Estimator's mode vocabulary, in one place: strings, order, labels, accepted spellings.

The strings are tf.estimator's (ModeKeys.PREDICT is 'infer'); the labels are what every
view shows (TRAIN, EVAL, PREDICT); `mode_of` accepts what a person may write.
"""

from __future__ import annotations

from typing import Any

__all__ = ["EVAL", "LABELS", "MODES", "PREDICT", "TRAIN", "label", "mode_of"]

TRAIN, EVAL, PREDICT = "train", "eval", "infer"
MODES = (TRAIN, EVAL, PREDICT)  # the order of every table and view
LABELS = {TRAIN: "TRAIN", EVAL: "EVAL", PREDICT: "PREDICT"}
_SPELLINGS = {**{mode: mode for mode in MODES}, "predict": PREDICT}


def label(mode: str) -> str:
    """'infer' -> 'PREDICT'; an unknown string comes back unchanged."""
    return LABELS.get(mode, mode)


def mode_of(value: Any) -> str | None:
    """ModeKeys.PREDICT, 'PREDICT', 'predict' or 'infer' -> 'infer'; None if not a mode."""
    return _SPELLINGS.get(str(getattr(value, "value", value)).lower())
