"""The Estimator track: train, save, evaluate and predict with new estimators, resume.

Every stage uses a new Estimator on the same model_dir, as a learner's notebook would
after a restart. Structure comes from the mode tracer (trace_modes) and the checkpoint;
values from the checkpoint and two predict() calls; counts from the engine's recorder.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from ckptlab.checker.runners.dataflow import dataflow_positions
from ckptlab.checker.runners.stages import Run
from ckptlab.scopes.names import base_name

__all__ = ["default_input_fn", "run_estimator"]

_v1 = tf.compat.v1
TRAIN_STEPS = 5
RESUME_STEPS = 2
EXAMPLES = 64
BATCH = 16
SERVED_EXAMPLES = 4
TOLERANCE = 1e-5
_BATCH_NORM_INITIAL = {"moving_mean": 0.0, "moving_variance": 1.0}


def _synthetic() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(EXAMPLES, 4)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5], [3.0]], np.float32) + 0.1).astype(np.float32)
    return x, y


def default_input_fn() -> Any:
    """Synthetic regression: features {"x": float32 [n, 4]}, labels float32 [n, 1]."""
    x, y = _synthetic()
    return tf.data.Dataset.from_tensor_slices(({"x": x}, y)).repeat(2).batch(BATCH)


def estimator_class() -> type:
    legacy = getattr(tf, "estimator", None)
    if legacy is not None and hasattr(legacy, "Estimator"):
        return legacy.Estimator
    from ckptlab.estimator import Estimator

    return Estimator


class _StopAfterRuns(_v1.train.SessionRunHook):
    """Ends training after a number of session runs, even when global_step is stuck."""

    def __init__(self, runs: int):
        self.runs, self.done = runs, 0

    def after_run(self, run_context, run_values):
        self.done += 1
        if self.done >= self.runs:
            run_context.request_stop()


def _make(model_dir: str, params: dict | None, recorder: Any, functions: dict) -> Any:
    cls = estimator_class()
    # no tf_random_seed: a fixed graph seed would give dropout the same mask in every
    # new graph and hide NONDETERMINISTIC_PREDICT
    config = dict(functions.get("CONFIG") or {})
    run_config = getattr(tf, "estimator", None)
    run_config = run_config.RunConfig if hasattr(run_config, "RunConfig") else None
    if run_config is None:
        from ckptlab.estimator import RunConfig as run_config
    kwargs = {"model_dir": model_dir, "params": params, "config": run_config(**config)}
    if recorder is not None and "ckptlab" in cls.__module__:
        kwargs["recorder"] = recorder
    return cls(functions["model_fn"], **kwargs)


def _checkpoint_facts(model_dir: str) -> dict[str, Any]:
    latest = tf.train.latest_checkpoint(model_dir)
    if not latest:
        return {"latest": None}
    reader = tf.train.load_checkpoint(latest)
    shapes = reader.get_variable_to_shape_map()
    stats = []
    for name in sorted(shapes):
        initial = _BATCH_NORM_INITIAL.get(base_name(name))
        if initial is not None:
            value = reader.get_tensor(name)
            stats.append({"name": name, "unchanged": bool(np.allclose(value, initial))})
    step = int(reader.get_tensor("global_step")) if "global_step" in shapes else None
    return {"latest": Path(latest).name, "global_step": step, "batch_norm": stats,
            "variables": {name: list(shape) for name, shape in shapes.items()}}


def _predict(estimator: Any, input_fn: Callable) -> list[Any]:
    outputs = list(islice(estimator.predict(input_fn), BATCH))
    return [{k: np.asarray(v).tolist() for k, v in out.items()} if isinstance(out, dict)
            else np.asarray(out).tolist() for out in outputs]


def _largest_gap(first: list, second: list) -> float | None:
    try:
        a = np.asarray([list(p.values()) if isinstance(p, dict) else p for p in first], float)
        b = np.asarray([list(p.values()) if isinstance(p, dict) else p for p in second], float)
    except (TypeError, ValueError):
        return None
    return float(np.max(np.abs(a - b))) if a.shape == b.shape and a.size else None


def _trace(functions: dict, params: dict | None) -> dict[str, Any]:
    from ckptlab.trace.modes import trace_modes

    report = trace_modes(functions["model_fn"], params)
    return report.to_dict()


class _TensorFlowLog(logging.Handler):
    """TensorFlow's log lines while the learner's serving code runs (INFO and above)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def count(self, text: str) -> int:
        return sum(text in record.getMessage() for record in self.records)

    def warnings(self) -> list[str]:
        return [r.getMessage() for r in self.records if r.levelno >= logging.WARNING][:20]


def _serve(run: Run, estimator: Any, recorder: Any, predict_many: Callable) -> None:
    x, _ = _synthetic()
    examples = [{"x": row} for row in x[:SERVED_EXAMPLES]]
    before = len(recorder.events)
    log, logger = _TensorFlowLog(), logging.getLogger("tensorflow")
    level, shown = logger.level, logger.getEffectiveLevel()
    # Capture INFO lines for counting without printing them: the handlers that were
    # there before keep showing only what they showed before.
    printers = list(logger.handlers) + (logging.getLogger().handlers if logger.propagate else [])

    def as_before(record: logging.LogRecord) -> bool:
        return record.levelno >= shown

    for handler in printers:
        handler.addFilter(as_before)
    logger.addHandler(log)
    logger.setLevel(logging.INFO)
    try:
        ok, _ = run.call("predict_many", predict_many, estimator, examples)
    finally:
        logger.removeHandler(log)
        logger.setLevel(level)
        for handler in printers:
            handler.removeFilter(as_before)
    events = recorder.events[before:]
    graphs = sum(e.kind == "model_fn_called" for e in events)
    restores = sum(e.kind == "checkpoint_restored" for e in events)
    if not events:  # tf.estimator itself (TF <= 2.15) has no recorder: read its log
        graphs, restores = log.count("Calling model_fn"), log.count("Restoring parameters from")
    run.obs["serving"] = {"examples": len(examples), "ok": ok, "warnings": log.warnings(),
                          "graphs": graphs, "restores": restores}


def run_estimator(functions: dict[str, Any], workdir: Path, learner_files: set[str],
                  emit: Callable[[str, dict], None] | None = None) -> dict[str, Any]:
    """Run the Estimator round trip; returns observations (a JSON dict) for the diagnosers."""
    from ckptlab.events import Recorder

    run = Run("estimator", learner_files, emit, str(workdir))
    obs = run.obs
    params = functions.get("PARAMS")
    restore_params = functions.get("RESTORE_PARAMS", params)
    input_fn = functions.get("input_fn") or default_input_fn
    model_dir = str(workdir / "model_dir")
    recorder = Recorder()
    obs["modes"] = run.call("trace modes", _trace, functions, params)[1]
    obs["dataflow"] = run.call("trace modes", dataflow_positions, functions["model_fn"], params,
                               input_fn)[1]
    if restore_params != params:
        obs["restore_modes"] = run.call("trace modes", _trace, functions, restore_params)[1]
    ok, trainer = run.call("train", _make, model_dir, params, recorder, functions)
    if not ok:
        return obs
    hook = _StopAfterRuns(TRAIN_STEPS * 4)
    run.call("train", trainer.train, input_fn, steps=TRAIN_STEPS, hooks=[hook])
    obs["train"] = {"session_runs": hook.done, **_checkpoint_facts(model_dir)}
    run.emit("train", obs)
    evaluator = run.call("evaluate", _make, model_dir, restore_params, recorder, functions)[1]
    if evaluator is not None:
        ok, metrics = run.call("evaluate", evaluator.evaluate, input_fn)
        if ok:
            obs["evaluate"] = {k: float(np.asarray(v)) for k, v in metrics.items()
                               if np.asarray(v).size == 1}
    predictions = []
    for number in (1, 2):
        ok, predictor = run.call("predict", _make, model_dir, restore_params, recorder,
                                 functions)
        ok, outputs = run.call("predict", _predict, predictor, input_fn) if ok else (False, [])
        if ok:
            predictions.append(outputs)
        if number == 1 and ok and functions.get("predict_many"):
            _serve(run, predictor, recorder, functions["predict_many"])
    if len(predictions) == 2:
        obs["predict"] = {"examples": len(predictions[0]),
                          "largest_gap": _largest_gap(*predictions)}
    ok, resumer = run.call("resume", _make, model_dir, params, recorder, functions)
    if ok:
        hook = _StopAfterRuns(RESUME_STEPS * 4)
        run.call("resume", resumer.train, input_fn, steps=RESUME_STEPS, hooks=[hook])
        obs["resume"] = _checkpoint_facts(model_dir)
    obs["engine"] = {"counts": recorder.counts()}
    return obs
