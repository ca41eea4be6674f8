"""A prepared stage process's warm-up: the stage run once on ckptlab's own model.

A process forked from the warm runner pays TensorFlow's first-use costs at its first
session (executor, kernels, thread pools: C++ state a fork cannot inherit) and Python's
first graph builds. A spare sandbox's stage processes (ckptlab.checker.runners.zygote)
pay them before a submission arrives, by running their own stage function on the model
below in a folder of the sandbox's private /tmp, which is deleted before the submission
comes. What such a run could leave that learner code would notice is put back as it
was: Python's warning filters and once-only registries, TensorFlow's deprecation and
log-once records, the `tempfile` folder; the stage itself seeds everything again
(tracks.seeded). Not put back: TensorFlow's process-wide thread pools, sized at the
warm-up's first session (a learner's session_config asking for other sizes gets them
in a fresh process, not here: the same results, other speed).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import shutil
import sys
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ckptlab.checker.stage_names import TRAIN

__all__ = ["FIRST", "WARM_ROOT", "warm_up", "warmed_tracks"]

WARM_ROOT = "/tmp/ckptlab-warm"  # inside the sandbox: its private tmpfs
# the stage whose warm-up runs first, alone: the others start from a copy of its folder
FIRST = {"estimator": TRAIN}


def _estimator_functions() -> dict[str, Any]:
    import tensorflow.compat.v1 as v1

    def model_fn(features, labels, mode, params=None):
        hidden = v1.layers.dense(features["x"], 8, activation=v1.nn.relu)
        weight = v1.get_variable("out", [8, 1])
        output = v1.matmul(hidden, weight)
        if mode == v1.estimator.ModeKeys.PREDICT:
            return v1.estimator.EstimatorSpec(mode, predictions={"y": output})
        loss = v1.losses.mean_squared_error(labels, output)
        train_op = v1.train.AdamOptimizer(0.05).minimize(
            loss, global_step=v1.train.get_global_step())
        return v1.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)

    return {"model_fn": model_fn}


_FUNCTIONS: dict[str, Callable[[], dict[str, Any]]] = {"estimator": _estimator_functions}


def warmed_tracks() -> set[str]:
    """The tracks whose stage processes can be prepared ahead of a check."""
    return set(_FUNCTIONS)


def warm_up(track: str, stage: dict, function: Callable[..., Any], first: str) -> None:
    """Run `function` (the stage's own) on ckptlab's model in WARM_ROOT/<stage>; a stage
    that is not the track's FIRST starts from a copy of WARM_ROOT/<first> (a trained
    model_dir for a restore). Raises if the run touched the working folder."""
    workdir = Path(WARM_ROOT) / str(stage["name"])
    if str(stage["name"]) != first:
        shutil.copytree(Path(WARM_ROOT) / first, workdir, symlinks=True)
    workdir.mkdir(parents=True, exist_ok=True)
    before = sorted(Path.cwd().iterdir())
    saved_tempdir, said = tempfile.tempdir, _said_once()
    from ckptlab.checker.runners.tracks import seeded

    try:
        with seeded():  # (its warnings go where its output goes: nowhere)
            function(track, _FUNCTIONS[track](), workdir, set(), lambda *_: None)
    finally:
        tempfile.tempdir = saved_tempdir
        _say_again(said)
        gc.collect()
        _give_back_memory()
    if sorted(Path.cwd().iterdir()) != before:
        raise RuntimeError("the warm-up wrote into the check's working folder")


def _give_back_memory() -> None:
    """Return the heap the warm-up freed to the system: an idle spare holds less."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def _once_tables() -> list[dict]:
    """The records of what this process says only once: Python's warning registries (of
    every module, and the "once" one), TensorFlow's deprecation and log-once tables."""
    tables = [module.__dict__["__warningregistry__"] for module in list(sys.modules.values())
              if isinstance(getattr(module, "__dict__", None), dict)
              and isinstance(module.__dict__.get("__warningregistry__"), dict)]
    tables.append(warnings.onceregistry)
    with contextlib.suppress(ImportError, AttributeError):
        from ckptlab.tf_private import deprecation, tf_logging

        tables += [deprecation._PRINTED_WARNING, tf_logging._log_counter_per_token]
    return tables


def _said_once() -> tuple[list[tuple[dict, dict]], list]:
    return [(table, dict(table)) for table in _once_tables()], list(warnings.filters)


def _say_again(said: tuple[list[tuple[dict, dict]], list]) -> None:
    """Every once-only record as it was before the warm-up (a table it made is emptied):
    what the learner's code says is said as in a process that ran nothing before."""
    tables, filters = said
    before = {id(table): copy for table, copy in tables}
    for table in _once_tables():
        copy = before.get(id(table), {})
        table.clear()
        table.update(copy)
    if list(warnings.filters) != filters:
        warnings.filters[:] = filters
        warnings._filters_mutated()
