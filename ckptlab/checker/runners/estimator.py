"""The Estimator track: train, save, evaluate and predict with new estimators, resume.

Every stage uses a new Estimator on the same model_dir, as a learner's notebook would
after a restart. Structure comes from the mode tracer (trace_modes); what the model does
from predictions on inputs the checker fixes; counts from the engine's recorder. Values
on disk are not read here: the judge reads the checkpoints with ckptlab's own reader.
The result is JSON in the shape of `observations.Observations` (version 1).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from ckptlab.checker.runners.dataflow import dataflow_positions
from ckptlab.checker.runners.stages import Listening, Run, TensorFlowLog
from ckptlab.estimator.calls import mode_inputs
from ckptlab.mode_names import PREDICT

__all__ = ["default_input_fn", "run_estimator"]

_v1 = tf.compat.v1
TRAIN_STEPS = 5
RESUME_STEPS = 2
EXAMPLES = 64
BATCH = 16
SERVED_EXAMPLES = 4
PROBES = 4  # examples predicted one at a time to see that predictions depend on input
MAX_VALUES = 20000  # values of the resumed session reported back, at most
AFTER_TRAIN = "evidence/after_train"  # model_dir as train() left it, for the judge


def _synthetic() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(EXAMPLES, 4)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5], [3.0]], np.float32) + 0.1).astype(np.float32)
    return x, y


def default_input_fn() -> Any:
    """Synthetic regression: features {"x": float32 [n, 4]}, labels float32 [n, 1]."""
    x, y = _synthetic()
    return tf.data.Dataset.from_tensor_slices(({"x": x}, y)).repeat(2).batch(BATCH)


def _estimator_api() -> Any:
    legacy = getattr(tf, "estimator", None)
    if legacy is not None and hasattr(legacy, "Estimator"):
        return legacy
    import ckptlab.estimator as engine

    return engine


def estimator_class() -> type:
    return _estimator_api().Estimator


class _StopAfterRuns(_v1.train.SessionRunHook):
    """Ends training after a number of session runs, even when global_step is stuck;
    `record` also keeps the values the session holds before its first step."""

    def __init__(self, runs: int, record: bool = False):
        self.runs, self.done, self.record = runs, 0, record
        self.start_values: dict[str, list[float]] = {}
        self.trainable: list[str] = []
        self.assigned: list[str] = []

    def begin(self):
        self.trainable = [v.op.name for v in _v1.trainable_variables()]
        self.assigned = assigned_variables(_v1.get_default_graph())
        self.variables = [v for v in _v1.global_variables()
                          if v.dtype.base_dtype.is_floating] if self.record else []

    def before_run(self, run_context):
        if self.done == 0 and self.variables:
            values = run_context.session.run(self.variables)
            budget = MAX_VALUES
            for variable, value in zip(self.variables, values, strict=True):
                flat = np.asarray(value, np.float64).ravel()
                if flat.size <= budget:
                    self.start_values[variable.op.name] = flat.tolist()
                    budget -= flat.size

    def after_run(self, run_context, run_values):
        self.done += 1
        if self.done >= self.runs:
            run_context.request_stop()


_WRITES = ("Assign", "AssignAdd", "AssignSub", "AssignVariableOp", "AssignAddVariableOp",
           "AssignSubVariableOp", "ScatterUpdate", "ScatterAdd", "ResourceScatterUpdate",
           "ResourceScatterAdd")
_PASS_THROUGH = ("Identity", "IdentityN", "ReadVariableOp")


def _from_checkpoint(tensor: Any) -> bool:
    """The value comes straight from a checkpoint read (a Saver's restore op)."""
    op = tensor.op
    while op.type in _PASS_THROUGH and op.inputs:
        op = op.inputs[0].op
    return op.type in ("RestoreV2", "Restore", "RestoreSlice")


def assigned_variables(graph: Any) -> list[str]:
    """Variables some op of `graph` writes other than their initializer and a restore:
    the state the model means to update (an EMA, a counter, a running mean...)."""
    initializers = {v.initializer.name for v in graph.get_collection("variables")
                    + graph.get_collection("local_variables")}
    found = set()
    for op in graph.get_operations():
        if op.type not in _WRITES or op.name in initializers or len(op.inputs) < 2:
            continue
        if _from_checkpoint(op.inputs[1]):
            continue
        target = op.inputs[0].op
        while target.type in _PASS_THROUGH and target.inputs:
            target = target.inputs[0].op
        found.add(target.name)
    return sorted(found)


def _make(model_dir: str, params: dict | None, recorder: Any, functions: dict,
          warm_start: Any = None) -> Any:
    api = _estimator_api()
    cls = api.Estimator
    # no tf_random_seed: a fixed graph seed would give dropout the same mask in every
    # new graph and hide NONDETERMINISTIC_PREDICT
    config = api.RunConfig(**dict(functions.get("CONFIG") or {}))
    kwargs = {"model_dir": model_dir, "params": params, "config": config}
    if warm_start is not None:
        kwargs["warm_start_from"] = warm_start
    if recorder is not None and "ckptlab" in cls.__module__:
        kwargs["recorder"] = recorder
    return cls(functions["model_fn"], **kwargs)


def _predict(estimator: Any, input_fn: Callable, count: int = BATCH) -> list[Any]:
    outputs = list(islice(estimator.predict(input_fn), count))
    return [{k: np.asarray(v).tolist() for k, v in out.items()} if isinstance(out, dict)
            else np.asarray(out).tolist() for out in outputs]


def _flat(prediction: Any) -> list[float]:
    values = list(prediction.values()) if isinstance(prediction, dict) else [prediction]
    return [float(x) for value in values for x in np.asarray(value, np.float64).ravel()]


def _largest_gap(first: list, second: list) -> float | None:
    try:
        a = np.asarray([_flat(p) for p in first], float)
        b = np.asarray([_flat(p) for p in second], float)
    except (TypeError, ValueError):
        return None
    return float(np.max(np.abs(a - b))) if a.shape == b.shape and a.size else None


def _fixed_features(input_fn: Callable, params: Any) -> Any:
    """The first batch of `input_fn`'s PREDICT features (input_fn called as the Estimator
    calls it) as numpy: an input the checker then fixes."""
    with tf.Graph().as_default():
        features, _, hooks = mode_inputs(input_fn, PREDICT, params if params is not None else {})
        for hook in hooks:
            hook.begin()
        with _v1.Session() as session:
            for hook in hooks:
                hook.after_create_session(session, None)
            return session.run(features)


def _constant_input(features: Any, batch: int) -> Callable:
    def input_fn():
        return tf.data.Dataset.from_tensor_slices(features).batch(batch)

    return input_fn


def _mode_trace(report: Any) -> dict[str, Any]:
    comparison = report.comparison
    return {
        "variables": {trace.mode: {v.name: list(v.shape or ()) for v in trace.variables
                                   if not v.local} for trace in report.modes},
        "missing_from_train": {mode: list(names) for mode, names in
                               comparison.missing_from_train_checkpoint.items()},
        "shifted": [[s.mode, s.train_name, s.name] for s in comparison.shifted],
        "failed": {trace.mode: f"{trace.error.type}: {trace.error.message}"
                   for trace in report.modes if trace.error is not None},
        "update_ops": {trace.mode: int(trace.collections.get("update_ops", 0))
                       for trace in report.modes},
    }


def _trace(functions: dict, params: dict | None, input_fn: Callable) -> dict[str, Any]:
    """The modes traced with the learner's own input_fn (called with the mode and params)."""
    from ckptlab.trace.modes import trace_modes

    return _mode_trace(trace_modes(functions["model_fn"], params, input_fn=input_fn))


def _serve(run: Run, estimator: Any, recorder: Any, predict_many: Callable,
           log: TensorFlowLog) -> dict[str, Any]:
    x, _ = _synthetic()
    examples = [{"x": row} for row in x[:SERVED_EXAMPLES]]
    before, lines = len(recorder.events), len(log.records)
    ok, _ = run.call("predict_many", predict_many, estimator, examples)
    events = recorder.events[before:]
    graphs = sum(e.kind == "model_fn_called" for e in events)
    restores = sum(e.kind == "checkpoint_restored" for e in events)
    if not events:  # tf.estimator itself (TF <= 2.15) has no recorder: read its log
        graphs = log.count("Calling model_fn", lines)
        restores = log.count("Restoring parameters from", lines)
    return {"examples": len(examples), "ok": ok, "graphs": graphs, "restores": restores}


def _predictions(run: Run, functions: dict, model_dir: str, params: Any, recorder: Any,
                 predict_input: Callable, log: TensorFlowLog) -> None:
    est = run.obs["estimator"]
    outputs = []
    for number in (1, 2):
        ok, predictor = run.call("predict", _make, model_dir, params, recorder, functions)
        ok, out = run.call("predict", _predict, predictor, predict_input) if ok else (False, [])
        if ok:
            outputs.append(out)
        if number == 1 and ok and functions.get("predict_many"):
            est["serving"] = _serve(run, predictor, recorder, functions["predict_many"], log)
    if len(outputs) < 2:
        return
    record = {"examples": len(outputs[0]), "largest_gap": _largest_gap(*outputs)}
    try:  # the checker's own fixed input: tells "the model is random" from "the input is"
        features = _fixed_features(predict_input, params)
        fixed = [_predict(_make(model_dir, params, None, functions),
                          _constant_input(features, BATCH)) for _ in (1, 2)]
        record["fixed_gap"] = _largest_gap(*fixed)
        single = _predict(_make(model_dir, params, None, functions),
                          _constant_input(features, 1), PROBES)
        record["single_outputs"] = [_flat(p) for p in single]
        record["batched_outputs"] = [_flat(p) for p in fixed[0][:len(single)]]
    except Exception:  # the learner's predictions already ran; these probes are extra
        pass
    est["predict"] = record


def _warm_start(run: Run, functions: dict, workdir: Path, params: Any, input_fn: Callable):
    """Train a 'pretrained' model first; WarmStartSettings from it with the learner's options."""
    settings = functions.get("WARM_START")
    if not settings:
        return None, ""
    pretrained = str(workdir / "pretrained")
    ok, teacher = run.call("pretrain", _make, pretrained, params, None, functions)
    if ok:
        ok, _ = run.call("pretrain", teacher.train, input_fn, steps=TRAIN_STEPS,
                         hooks=[_StopAfterRuns(TRAIN_STEPS * 4)])
    if not ok:
        return None, ""
    api = _estimator_api()
    return api.WarmStartSettings(pretrained, **dict(settings)), "pretrained"


def _checkpoint_names(model_dir: str) -> list[str]:
    return sorted({p.name.removesuffix(".index") for p in Path(model_dir).glob("*.index")},
                  key=lambda name: int(name.rsplit("-", 1)[-1]) if name[-1].isdigit() else -1)


def run_estimator(functions: dict[str, Any], workdir: Path, learner_files: set[str],
                  emit: Callable[[str, dict], None] | None = None) -> dict[str, Any]:
    """Run the Estimator round trip; returns observations (JSON, Observations' shape)."""
    from ckptlab.events import Recorder

    run = Run("estimator", learner_files, emit, str(workdir))
    kind = "tf.function" if hasattr(functions["model_fn"], "python_function") else "function"
    est = run.obs["estimator"] = {"model_dir": "model_dir", "model_fn_kind": kind}
    with Listening(run) as log:
        _stages(run, est, functions, workdir, log, Recorder())
    return run.obs


def _stages(run: Run, est: dict, functions: dict, workdir: Path, log: TensorFlowLog,
            recorder: Any) -> None:
    params = functions.get("PARAMS")
    restore_params = functions.get("RESTORE_PARAMS", params)
    input_fn = functions.get("input_fn") or default_input_fn
    eval_input = functions.get("eval_input_fn") or input_fn
    predict_input = functions.get("predict_input_fn") or input_fn
    model_dir = str(workdir / est["model_dir"])
    est["modes"] = run.call("trace modes", _trace, functions, params, input_fn)[1]
    flow = run.call("trace modes", dataflow_positions, functions["model_fn"], params,
                    input_fn)[1]
    est["dataflow"] = flow
    if restore_params != params:
        est["restore_modes"] = run.call("trace modes", _trace, functions, restore_params,
                                       input_fn)[1]
    warm, source = _warm_start(run, functions, workdir, params, input_fn)
    ok, trainer = run.call("train", _make, model_dir, params, recorder, functions, warm)
    if not ok:
        return
    hook = _StopAfterRuns(TRAIN_STEPS * 4)
    run.call("train", trainer.train, input_fn, steps=TRAIN_STEPS, hooks=[hook])
    est["train"] = {"session_runs": hook.done, "checkpoints": _checkpoint_names(model_dir),
                    "trainable": hook.trainable, "assigned": hook.assigned,
                    "warm_start_from": source}
    # a resumed train() rewrites the last checkpoint at its first step: keep what train wrote
    if Path(model_dir).is_dir():
        shutil.copytree(model_dir, workdir / AFTER_TRAIN, dirs_exist_ok=True)
    run.emit("train", run.obs)
    evaluator = run.call("evaluate", _make, model_dir, restore_params, recorder, functions)[1]
    if evaluator is not None:
        run.call("evaluate", evaluator.evaluate, eval_input)  # errors and stage are the evidence
    _predictions(run, functions, model_dir, restore_params, recorder, predict_input, log)
    ok, resumer = run.call("resume", _make, model_dir, params, recorder, functions)
    if ok:
        hook = _StopAfterRuns(RESUME_STEPS * 4, record=True)
        run.call("resume", resumer.train, input_fn, steps=RESUME_STEPS, hooks=[hook])
        est["resume"] = {"session_runs": hook.done, "start_values": hook.start_values}
