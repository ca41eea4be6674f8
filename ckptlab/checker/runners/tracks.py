"""Dispatch a submission's functions to its track's runner; legacy shim for Estimators."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["install_legacy_support", "run_track"]


def install_legacy_support() -> None:
    """Make `tf.estimator` (and tf.compat.v1.layers) usable for TF <= 2.15 learner code.

    With a TensorFlow that still ships tf.estimator (the parity environment, TF 2.15) the
    real one is used; otherwise ckptlab's engine through its legacy shim.
    """
    import tensorflow as tf

    if hasattr(getattr(tf, "estimator", None), "Estimator"):
        return
    from ckptlab.estimator.legacy import install_estimator_shim

    install_estimator_shim()


def run_track(track: str, functions: dict[str, Any], workdir: Path, learner_files: set[str],
              emit: Callable[[str, dict], None] | None = None) -> dict[str, Any]:
    if track == "tf2":
        from ckptlab.checker.runners.tf2 import run_tf2

        return run_tf2(functions, workdir, learner_files, emit)
    from ckptlab.checker.runners.estimator import run_estimator

    return run_estimator(functions, workdir, learner_files, emit)
