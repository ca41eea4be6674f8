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

from ckptlab.checker.judge import MODEL_DIR, PROBE_FILE, TRAINED_MARK
from ckptlab.checker.stage_names import PREDICTING, RESTORE, SAVE, TRACE, TRAIN

__all__ = ["AFTER_STEPS", "PROBE_RUN", "SEED", "STAGES", "STEPS", "install_legacy_support",
           "prepare", "prepared", "run_track", "seeded", "stages_of"]

SEED = 0

# The stages of a track, each run in its own process by run_isolated (a new process
# loads the submission afresh, so a restore sees only what the save left on disk).
# Kept here, free of TensorFlow, for the grader.
# After each stage the grader takes its evidence/ out of the sandbox ("vault": what else it
# moves or copies; see warm._between): a later stage cannot read or rewrite it.
_ESTIMATOR = "ckptlab.checker.runners.estimator"
_RESTORE_NEEDS = [MODEL_DIR, TRAINED_MARK, PROBE_FILE]  # + the checker's probes
STAGES = {"tf2": [{"name": SAVE, "call": "ckptlab.checker.runners.tf2:save_stage"},
                  {"name": RESTORE, "call": "ckptlab.checker.runners.tf2:restore_stage"}],
          "estimator": [
              # the modes traced while training runs beside; then, once training ended,
              # the model as trained run on the checker's probes in the traced graphs
              {"name": TRACE, "call": f"{_ESTIMATOR}:trace_stage", "waits_for": TRAIN},
              # the model_dir as training left it (a resume rewrites its last checkpoint);
              # later stages see only the model_dir (and the mark that training started)
              {"name": TRAIN, "call": f"{_ESTIMATOR}:train_stage", "alongside": True,
               "vault": {"copy": [MODEL_DIR], "keep": _RESTORE_NEEDS}},
              # evaluate; at the same time ("alongside", in another process) predict,
              # then resume from a copy of the model_dir (judge.RESUME_DIR)
              {"name": RESTORE, "call": f"{_ESTIMATOR}:restore_stage"},
              {"name": PREDICTING, "call": f"{_ESTIMATOR}:predict_stage", "alongside": True}]}
# what a stage process that runs beside another runs of the learner's code, step by step
# (the stage names its Run records, in their order, a report's words for each, and
# whether the step runs only when the submission defines it): a time-out or a crash while
# two ran at once names the step that did not finish
STEPS = {"estimator": {
    TRACE: (("trace modes", "model_fn's trace in each mode (TRAIN, EVAL, PREDICT)", False),),
    TRAIN: (("train", "train()", False),),  # (a warm start's pretraining is a train() too)
    RESTORE: (("evaluate", "evaluate()", False),),
    PREDICTING: (("predict", "predict()", False), ("predict_many", "predict_many()", True),
                 ("resume", "the resumed train()", False))}}
# what such a process runs of the checker's own once its last step got through: the model
# on the checker's probes ("{}": the last step's words), except after training
AFTER_STEPS = {"estimator": {
    TRAIN: "the checker's own work after {} (keeping the values training ended with)"}}
PROBE_RUN = "the checker's probe run after {}"


def stages_of(track: str) -> list[dict] | None:
    """The stage list for run_isolated (None: the whole track in one process)."""
    return [dict(stage) for stage in STAGES[track]] if track in STAGES else None


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


# predictions a check lets one predict() yield from an input that never ends: far more
# than any check or exercise asks for, reached in about a second
ENDLESS_PREDICT_LIMIT = 10_000


def prepare(track: str) -> None:
    """What a process needs before the learner's code of `track` is even loaded."""
    if track == "estimator":
        install_legacy_support()
        _stop_endless_predict()


@contextlib.contextmanager
def prepared(track: str) -> Iterator[None]:
    """prepare(track) for a check inside the learner's own process (the kernel-thread
    fallback): what it sets for the check alone is set back afterwards."""
    if track != "estimator":
        prepare(track)
        yield
        return
    from ckptlab.estimator import predicting

    limit = predicting.ENDLESS_INPUT_LIMIT
    prepare(track)
    try:
        yield
    finally:
        predicting.ENDLESS_INPUT_LIMIT = limit


def _stop_endless_predict() -> None:
    """ckptlab's engine (not a real tf.estimator) stops a predict() that never ends."""
    import tensorflow as tf

    if tf.estimator.Estimator.__module__.startswith("ckptlab."):
        from ckptlab.estimator import predicting

        predicting.ENDLESS_INPUT_LIMIT = ENDLESS_PREDICT_LIMIT


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

        return run_estimator(functions, workdir, learner_files, emit, seeded)
