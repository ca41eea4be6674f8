"""THE set-up of a process before a check (notebook kernel thread or CLI child), and the
dispatch of a submission's functions to its track's runner.

`prepare(track)` runs before the learner's code is loaded (tf.estimator must exist for
legacy imports); `run_track` seeds every run the same way (same weights, same evidence
in a notebook as in `ckptlab check`) and gives the caller's random state back.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["SEED", "install_legacy_support", "prepare", "run_track", "seeded"]

SEED = 0


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


def prepare(track: str) -> None:
    """What a process needs before the learner's code of `track` is even loaded."""
    if track == "estimator":
        install_legacy_support()


@contextlib.contextmanager
def seeded() -> Iterator[None]:
    """Python, numpy, TensorFlow and Keras seeded with SEED; the Python and numpy states
    are restored afterwards, so a notebook's own random sequences are not disturbed."""
    import numpy as np
    import tensorflow as tf

    python_state, numpy_state = random.getstate(), np.random.get_state()
    tf.keras.utils.set_random_seed(SEED)
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)


def run_track(track: str, functions: dict[str, Any], workdir: Path, learner_files: set[str],
              emit: Callable[[str, dict], None] | None = None) -> dict[str, Any]:
    with seeded():
        if track == "tf2":
            from ckptlab.checker.runners.tf2 import run_tf2

            return run_tf2(functions, workdir, learner_files, emit)
        from ckptlab.checker.runners.estimator import run_estimator

        return run_estimator(functions, workdir, learner_files, emit)
