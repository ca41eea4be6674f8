"""The TF2 track: train a few steps, save, restore into new objects, compare everything.

Learner functions: build_model(), optional build_optimizer(), save(model, optimizer, dir),
restore(dir) -> model or (model, optimizer). The checkpoint API calls they make are
watched (runner_watch). The model as trained and as restored is written to evidence
checkpoints, which the judge reads with ckptlab's reader and pairs by object path.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from ckptlab.checker.judge import EVIDENCE
from ckptlab.checker.runners.stages import Run
from ckptlab.checker.runners.watch import watching
from ckptlab.checkpoint.load import inspect_checkpoint

__all__ = ["run_tf2"]

TRAIN_STEPS = 3
BATCH = 16
PROBES = 4  # probe examples also predicted one at a time


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


def _restore_side_variables(watch: Any, scratch: Path) -> list[dict[str, Any]]:
    """Write each Checkpoint the learner restored with, to see the paths it asks for."""
    found: list[dict[str, Any]] = []
    ids = {call["checkpoint"] for call in watch.calls if "checkpoint" in call}
    for number, checkpoint_id in enumerate(sorted(ids)):
        written = watch.checkpoints[checkpoint_id].write(str(scratch / f"restore_side_{number}"))
        found += checkpoint_variables(written)
    return found


def write_evidence(obj: Any, name: str, workdir: Path) -> None:
    """The object's variables under their object paths, for the judge to read back."""
    if obj is not None and _variables(obj):
        attribute = "optimizer" if "optimizer" in name else "model"
        tf.train.Checkpoint(**{attribute: obj}).write(str(workdir / EVIDENCE / name))


def _calls(calls: list[dict], workdir: Path) -> list[dict]:
    keep = ("api", "path", "path_exists", "returned", "raised", "checkpoint", "children",
            "model")
    return [{k: v for k, v in call.items() if k in keep} for call in _relative(calls, workdir)]


def _one_at_a_time(model: Any, probe: tf.Tensor) -> list[list[float]]:
    return [np.asarray(model(probe[i:i + 1]), np.float64).ravel().tolist()
            for i in range(PROBES)]


SAVED_MARK = "saved.ok"  # written by the save stage when the learner's save() returned
# (in the work folder: evidence/ is taken out of the sandbox after each stage)
MAX_OUTPUT_VALUES = 20000  # probe outputs reported per model, at most


MAX_STATE_ENTRIES = 200  # untracked tensors reported per model, at most
MAX_STATE_SIZE = 1 << 20  # elements of one untracked tensor, at most


def untracked_state(model: Any) -> dict[str, dict[str, Any]]:
    """Tensors a layer computes with that are not variables (e.g. a Keras Normalization's
    mean and variance, derived from its variables only by adapt() or finalize_state()):
    {'<position>/<class>/<attribute>': {name, shape, sum, sumsq}}, keyed by the layer's
    position in the model (its object path) so two processes' models pair up."""
    flatten = getattr(model, "_flatten_layers", None)
    layers = list(flatten(include_self=False)) if callable(flatten) else []
    found: dict[str, dict[str, Any]] = {}
    for position, layer in enumerate(layers):
        for attribute, value in sorted(vars(layer).items()):
            if isinstance(value, tf.Variable) or not (tf.is_tensor(value)
                                                      or isinstance(value, np.ndarray)):
                continue
            try:
                array = np.asarray(value)
            except Exception:  # a symbolic tensor: no value to compare
                continue
            if array.dtype.kind != "f" or array.size > MAX_STATE_SIZE:
                continue
            values = array.astype(np.float64)
            found[f"{position}/{type(layer).__name__}/{attribute}"] = {
                "name": f"{layer.name}.{attribute}", "shape": list(array.shape),
                "sum": float(values.sum()), "sumsq": float((values * values).sum())}
            if len(found) >= MAX_STATE_ENTRIES:
                return found
    return found


def _probe_setup(functions: dict[str, Any]) -> tuple[tuple[int, ...], tf.Tensor, tf.Tensor]:
    """(input shape, training batch, probe batch): the same in every stage's process."""
    shape = tuple(int(n) for n in functions.get("INPUT_SHAPE") or (4,))
    x = tf.random.stateless_normal([BATCH, *shape], seed=(1, 2))
    # probes unlike the training data: another seed, another scale and offset
    probe = 2.0 * tf.random.stateless_normal([BATCH, *shape], seed=(7, 8)) + 0.5
    return shape, x, probe


def _outputs(out: Any) -> list[list[float]]:
    """The model's outputs on the probe, per example, as JSON (capped)."""
    values = np.asarray(out, np.float64).reshape(len(out), -1)
    keep = max(1, MAX_OUTPUT_VALUES // max(1, values.shape[1]))
    return values[:keep].tolist()


def save_stage(track: str, functions: dict[str, Any], workdir: Path, learner_files: set[str],
               emit: Callable[[str, dict], None] | None = None, **_: Any) -> dict[str, Any]:
    """Stage 1 (its own process): build, train, save with the learner's save(); the model as
    trained goes to evidence/, its outputs on the checker's probe into the claims."""
    run = Run("tf2", learner_files, emit, str(workdir))
    shape, x, probe = _probe_setup(functions)
    trip = run.obs["tf2"] = {"input_shape": list(shape)}
    make_optimizer = functions.get("build_optimizer") or (
        lambda: tf.keras.optimizers.Adam(learning_rate=0.01))
    ok, model = run.call("build", functions["build_model"])
    ok, optimizer = run.call("build", make_optimizer) if ok else (False, None)
    if not ok or not run.call("train", _train, model, optimizer, x)[0]:
        return run.obs
    first = np.asarray(model(probe), np.float64)
    trip["saved_outputs"] = _outputs(first)
    # the same probe again: a random model (dropout hard-wired on) differs from itself
    trip["repeat_gap"] = float(np.max(np.abs(np.asarray(model(probe), np.float64) - first)))
    trip["single_outputs"] = _one_at_a_time(model, probe)
    trip["saved_variables"] = [[v["name"], v["shape"]] for v in _snapshot(model)]
    trip["saved_state"] = untracked_state(model)
    trip["optimizer_types"] = [type(optimizer).__name__, ""]
    write_evidence(model, "saved_model", workdir)
    write_evidence(optimizer, "saved_optimizer", workdir)
    directory = workdir / "checkpoints"
    directory.mkdir(parents=True, exist_ok=True)
    with watching() as watch:
        ok, returned = run.call("save", functions["save"], model, optimizer, str(directory))
    trip["save_calls"] = _calls(watch.calls, workdir)
    written = [call.get("returned") or call.get("path") for call in watch.calls]
    path = returned if isinstance(returned, str) else next(filter(None, written), None)
    fmt = checkpoint_format(path)
    shown = _relative([{"returned": returned, "path": path}], workdir)[0]
    trip["saved"] = {"path": shown["path"], "returned": shown["returned"]
                     if isinstance(shown["returned"], str) else None,
                     "format": fmt, "files": sorted(p.name for p in directory.iterdir()),
                     "variables": checkpoint_variables(path) if fmt == "tf-checkpoint" else [],
                     "optimizer_iterations": int(optimizer.iterations.numpy())}
    if ok:
        (workdir / SAVED_MARK).write_text(json.dumps({"path": shown["path"]}))
    return run.obs


def restore_stage(track: str, functions: dict[str, Any], workdir: Path, learner_files: set[str],
                  emit: Callable[[str, dict], None] | None = None, **_: Any) -> dict[str, Any]:
    """Stage 2 (a new process, nothing carried over from stage 1): restore with the
    learner's restore() from what is on disk, call the restored model on the same probe;
    the restored model goes to evidence/ for the judge to pair with the saved one."""
    run = Run("tf2", learner_files, emit, str(workdir))
    shape, _, probe = _probe_setup(functions)
    trip = run.obs["tf2"] = {"input_shape": list(shape)}
    if not (workdir / SAVED_MARK).is_file():
        return run.obs  # nothing was saved: a restore would only repeat that failure
    directory = workdir / "checkpoints"
    with watching() as watch:
        ok, result = run.call("restore", functions["restore"], str(directory))
    trip["restore_calls"] = _calls(watch.calls, workdir)
    trip["restore_side"] = _restore_side_variables(watch, workdir)
    if not ok:
        return run.obs
    restored_model, restored_optimizer = (result if isinstance(result, (tuple, list))
                                          else (result, None))
    start = time.perf_counter()
    ok, out = run.call("call restored model", restored_model, probe)
    if not ok:
        return run.obs
    write_evidence(restored_model, "restored_model", workdir)
    trip.update({
        "restored_outputs": _outputs(out),
        "restored_variables": [[v["name"], v["shape"]] for v in _snapshot(restored_model)],
        "restored_state": untracked_state(restored_model),
        "value_gaps": [], "pairing": "identity",  # the judge pairs them from evidence/
        "optimizer_types": ["", type(restored_optimizer).__name__
                            if restored_optimizer is not None else ""],
    })
    if restored_optimizer is not None:
        write_evidence(restored_optimizer, "restored_optimizer", workdir)
        trip["optimizer_gaps"] = []
        trip["optimizer_iterations"] = int(restored_optimizer.iterations.numpy())
    run.done("compare", start)
    return run.obs


def run_tf2(functions: dict[str, Any], workdir: Path, learner_files: set[str],
            emit: Callable[[str, dict], None] | None = None) -> dict[str, Any]:
    """Both stages one after the other in this process (the in-kernel fallback, which
    is not isolated); returns the merged observations for the judge."""
    from ckptlab.checker.judge import merged_stages

    saved = save_stage("tf2", functions, workdir, learner_files, emit)
    restored = restore_stage("tf2", functions, workdir, learner_files, emit)
    return merged_stages([saved, restored])
