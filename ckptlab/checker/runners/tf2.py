"""The TF2 track: train a few steps, save, restore into new objects, compare everything.

Learner functions: build_model(), optional build_optimizer(), save(model, optimizer, dir),
restore(dir) -> model or (model, optimizer). The checkpoint API calls they make are
watched (runners/watch.py); structure and values are compared position by position.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from ckptlab.checker.runners.stages import Run
from ckptlab.checker.runners.watch import watching
from ckptlab.checkpoint.load import inspect_checkpoint

__all__ = ["run_tf2"]

TRAIN_STEPS = 3
BATCH = 16
TOLERANCE = 1e-5


def _variables(obj: Any) -> list[Any]:
    variables = getattr(obj, "variables", None)
    if callable(variables):
        variables = variables()
    return list(variables or [])


def _name(variable: Any) -> str:
    return str(getattr(variable, "path", None) or variable.name).removesuffix(":0")


def _snapshot(obj: Any) -> list[dict[str, Any]]:
    return [{"name": _name(v), "shape": list(v.shape), "value": np.array(v.numpy())}
            for v in _variables(obj)]


def _train(model: Any, optimizer: Any, x: tf.Tensor) -> None:
    target = None
    for _ in range(TRAIN_STEPS):
        with tf.GradientTape() as tape:
            out = model(x)
            if target is None:
                target = tf.random.stateless_normal(tf.shape(out), seed=(3, 4), dtype=out.dtype)
            loss = tf.reduce_mean(tf.square(out - target))
        variables = model.trainable_variables
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=True))


def checkpoint_format(path: str | None) -> str | None:
    if not path:
        return None
    if path.endswith(".h5"):
        return "h5"
    if path.endswith(".keras"):
        return "keras"
    if os.path.exists(path + ".index"):
        return "tf-checkpoint"
    return "missing" if not os.path.exists(path) else "other"


def checkpoint_variables(prefix: str) -> list[dict[str, Any]]:
    """Each saved variable: its path, shape, kind and every object path that reaches it."""
    return [{"path": v.path, "shape": list(v.shape), "kind": v.kind, "aliases": list(v.aliases)}
            for v in inspect_checkpoint(prefix).variables]


def _relative(calls: list[dict], workdir: Path) -> list[dict]:
    """Paths shown to the learner, relative to the check's scratch folder."""
    prefix = str(workdir) + os.sep
    return [{key: value.replace(prefix, "") if isinstance(value, str) else value
             for key, value in call.items()} for call in calls]


def _compare(saved: list[dict], restored: list[dict]) -> list[dict[str, Any]]:
    diffs = []
    for index, (before, after) in enumerate(zip(saved, restored, strict=False)):
        if before["shape"] != after["shape"]:
            diffs.append({"position": index, "name": after["name"], "saved_shape":
                          before["shape"], "restored_shape": after["shape"]})
            continue
        gap = float(np.max(np.abs(before["value"] - after["value"]))) if before["value"].size \
            else 0.0
        if gap > TOLERANCE:
            diffs.append({"position": index, "name": after["name"], "max_abs_diff": gap})
    return diffs


def _restore_side_variables(watch: Any, scratch: Path) -> list[dict[str, Any]]:
    """Write each Checkpoint the learner restored with, to see the paths it asks for."""
    found: list[dict[str, Any]] = []
    ids = {call["checkpoint"] for call in watch.calls if "checkpoint" in call}
    for number, checkpoint_id in enumerate(sorted(ids)):
        written = watch.checkpoints[checkpoint_id].write(str(scratch / f"restore_side_{number}"))
        found += checkpoint_variables(written)
    return found


def run_tf2(functions: dict[str, Any], workdir: Path, learner_files: set[str],
            emit: Callable[[str, dict], None] | None = None) -> dict[str, Any]:
    """Run the round trip; returns the observations (a JSON dict) for the diagnosers."""
    run = Run("tf2", learner_files, emit, str(workdir))
    obs = run.obs
    shape = tuple(functions.get("INPUT_SHAPE") or (4,))
    x = tf.random.stateless_normal([BATCH, *shape], seed=(1, 2))
    make_optimizer = functions.get("build_optimizer") or (
        lambda: tf.keras.optimizers.Adam(learning_rate=0.01))
    ok, model = run.call("build", functions["build_model"])
    ok, optimizer = run.call("build", make_optimizer) if ok else (False, None)
    if not ok or not run.call("train", _train, model, optimizer, x)[0]:
        return obs
    saved = _snapshot(model)
    saved_optimizer = _snapshot(optimizer)
    probe = np.asarray(model(x))
    directory = workdir / "checkpoints"
    directory.mkdir(parents=True, exist_ok=True)
    with watching() as watch:
        ok, returned = run.call("save", functions["save"], model, optimizer, str(directory))
    obs["save_calls"] = _relative(watch.calls, workdir)
    written = [call.get("returned") or call.get("path") for call in watch.calls]
    path = returned if isinstance(returned, str) else next(filter(None, written), None)
    fmt = checkpoint_format(path)
    shown = _relative([{"returned": returned, "path": path}], workdir)[0]
    obs["saved"] = {**shown,
                    "format": fmt, "files": sorted(p.name for p in directory.iterdir()),
                    "variables": checkpoint_variables(path) if fmt == "tf-checkpoint" else [],
                    "optimizer_iterations": int(optimizer.iterations.numpy())}
    if not ok:
        return obs
    with watching() as watch:
        ok, result = run.call("restore", functions["restore"], str(directory))
    obs["restore_calls"] = _relative(watch.calls, workdir)
    if not ok:
        return obs
    restored_model, restored_optimizer = (result if isinstance(result, (tuple, list))
                                          else (result, None))
    start = time.perf_counter()
    ok, out = run.call("call restored model", restored_model, x)
    if not ok:
        return obs
    restored = _snapshot(restored_model)
    obs["compare"] = {
        "saved_variables": [[v["name"], v["shape"]] for v in saved],
        "restored_variables": [[v["name"], v["shape"]] for v in restored],
        "value_diffs": _compare(saved, restored),
        "output_diff": float(np.max(np.abs(probe - np.array(out))))
        if np.shape(probe) == np.shape(out) else None,
        "restore_side": _restore_side_variables(watch, workdir),
    }
    if restored_optimizer is not None:
        obs["compare"]["optimizer_diffs"] = _compare(saved_optimizer,
                                                     _snapshot(restored_optimizer))
        obs["compare"]["optimizer_iterations"] = int(restored_optimizer.iterations.numpy())
    run.done("compare", start)
    return obs
