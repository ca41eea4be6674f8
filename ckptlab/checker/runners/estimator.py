"""The Estimator track in stage processes: trace beside train, then restore beside predict.

`trace_stage` traces the modes while, in another process (the other core), `train_stage`
trains (after a warm start's pretraining, if asked) and writes the model_dir; when
training ended, the trace process runs the model as training left it (its session's
values at the end) on the checker's probes in the traced graphs. Then two fresh processes
run at the same time: in one, `restore_stage` evaluates with a new Estimator on that
model_dir; in the other, `predict_stage` predicts with new estimators on it, then resumes
training from a copy of it (RESUME_DIR: a resume writes checkpoints, and the evaluation
beside it must restore what training left). Nothing of training is in those processes'
memory, so every session there can only get the trained values from the checkpoint on
disk; each session reports the values it held at its first step (and train/resume at
their last), which the judge compares with the checkpoints it reads with ckptlab's own
reader. Structure comes from the mode tracer (trace_modes); what the model does from
predictions on inputs the checker fixes; counts from the engine's recorder. The result is
JSON in the shape of `observations.Observations` (version 1).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from ckptlab.checker.judge import (
    AFTER_TRAIN,
    MODEL_DIR,
    RESUME_DIR,
    TOLERANCE,
    TRAINED_MARK,
    checkpoint_prefixes,
)
from ckptlab.checker.not_compared import (
    VALUES_BUDGET,
    WHERE_EVALUATE,
    WHERE_PREDICT,
    WHERE_RESTORE,
    WHERE_RESUME,
    stand_down,
)
from ckptlab.checker.runners.dataflow import DATAFLOW_MODES, positions_in
from ckptlab.checker.runners.probes import (
    LABELS_SEED,
    PROBE_FILE,
    NotComparable,
    digest,
    evaluated_outputs,
    load_probe,
    make_probe,
    predicted_outputs,
    save_probe,
    saved_outputs,
)
from ckptlab.checker.runners.stages import Listening, Run, TensorFlowLog
from ckptlab.checker.stage_names import PREDICTING, RESTORE, TRACE, TRAIN
from ckptlab.estimator.calls import mode_inputs
from ckptlab.mode_names import EVAL, PREDICT

__all__ = ["TRAIN_END_FILE", "copy_model_dir", "default_input_fn", "predict_stage",
           "restore_stage", "run_estimator", "trace_stage", "train_stage"]

_v1 = tf.compat.v1
TRAIN_STEPS = 5
RESUME_STEPS = 2
EXAMPLES = 64
BATCH = 16
SERVED_EXAMPLES = 4
PROBES = 4  # examples predicted one at a time to see that predictions depend on input
MAX_VALUES = VALUES_BUDGET  # values of one session reported back, at most
# the train stage's session values at its end, for the trace stage's probes (removed by
# the grader's vault before any restore: not in the train stage's "keep")
TRAIN_END_FILE = "train_end.pickle"


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


def session_arrays(session: Any, variables: list[Any]) -> dict[str, np.ndarray]:
    """Every variable's value in `session`, by name: kept in this process (the probes run
    the model with all of them), never reported as such."""
    if not variables:
        return {}
    return {variable.op.name: np.asarray(value) for variable, value in
            zip(variables, session.run(variables), strict=True)}


def reported_values(arrays: dict[str, np.ndarray]) -> dict[str, list[float]]:
    """The floating-point values (bfloat16 too) and global_step of `arrays` that a check
    reports back to the judge, by name: MAX_VALUES in all, whole variables only."""
    found: dict[str, list[float]] = {}
    budget = MAX_VALUES
    for name, value in arrays.items():
        if not (tf.as_dtype(value.dtype).is_floating or name == "global_step"):
            continue
        flat = np.asarray(value, np.float64).ravel()
        if flat.size <= budget:
            found[name] = flat.tolist()
            budget -= flat.size
    return found


class _SessionValues(_v1.train.SessionRunHook):
    """Keeps the values the session holds before its first step (after every restore,
    init_fn and after_create_session hook); `end`: also those after its last step. The
    `*_values` are what is reported (reported_values); `keep` ("start" or "end") also
    keeps that moment's every variable as `arrays`, for the probes run in this process."""

    def __init__(self, end: bool = False, keep: str = ""):
        self.end_wanted, self.keep, self.runs = end, keep, 0
        self.start_values: dict[str, list[float]] = {}
        self.end_values: dict[str, list[float]] = {}
        self.arrays: dict[str, np.ndarray] = {}

    def begin(self):  # local variables too: state a new session does not restore
        self.variables = [*_v1.global_variables(), *_v1.local_variables()]

    def _read(self, session: Any, moment: str) -> dict[str, list[float]]:
        arrays = session_arrays(session, self.variables)
        if moment == self.keep:
            self.arrays = arrays
        return reported_values(arrays)

    def before_run(self, run_context):
        if self.runs == 0:
            self.start_values = self._read(run_context.session, "start")

    def after_run(self, run_context, run_values):
        self.runs += 1

    def end(self, session):
        if self.end_wanted:
            self.end_values = self._read(session, "end")


class _StopAfterRuns(_SessionValues):
    """Ends training after a number of session runs, even when global_step is stuck;
    keeps the session's values before its first and after its last step."""

    def __init__(self, runs: int, keep: str = ""):
        super().__init__(end=True, keep=keep)
        self.limit = runs
        self.trainable: list[str] = []
        self.assigned: list[str] = []

    @property
    def done(self) -> int:
        return self.runs

    def begin(self):
        super().begin()
        self.trainable = [v.op.name for v in _v1.trainable_variables()]
        self.assigned = assigned_variables(_v1.get_default_graph())

    def after_run(self, run_context, run_values):
        super().after_run(run_context, run_values)
        if self.runs >= self.limit:
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


def _predict(estimator: Any, input_fn: Callable, count: int = BATCH,
             hooks: list | None = None, needed: int | None = None) -> list[Any]:
    """`count` predictions as lists; with `needed`, a failure after that many only ends
    them early (e.g. a model with a fixed batch size given single examples)."""
    outputs = []
    try:
        outputs.extend(islice(estimator.predict(input_fn, hooks=hooks), count))
    except Exception:
        if needed is None or len(outputs) < needed:
            raise
    return [{k: np.asarray(v).tolist() for k, v in out.items()} if isinstance(out, dict)
            else np.asarray(out).tolist() for out in outputs]


def _flat(prediction: Any) -> list[float]:
    """One example's numeric predictions, flat, keys in sorted order (as probes.rows)."""
    values = [prediction[k] for k in sorted(prediction)] if isinstance(prediction, dict) \
        else [prediction]
    return [float(x) for value in map(np.asarray, values) if value.dtype.kind in "fiub"
            for x in value.astype(np.float64).ravel()]


def _raw(outputs: list[Any]) -> list[list[float]]:
    """Predictions as flat values per example, for the judge to compare itself."""
    try:
        return [_flat(p) for p in outputs]
    except (TypeError, ValueError):
        return []


def _largest_gap(first: list, second: list) -> float | None:
    try:
        a = np.asarray([_flat(p) for p in first], float)
        b = np.asarray([_flat(p) for p in second], float)
    except (TypeError, ValueError):
        return None
    return float(np.max(np.abs(a - b))) if a.shape == b.shape and a.size else None


def _fixed_features(input_fn: Callable, params: Any, mode: str = PREDICT) -> Any:
    """The first batch of `input_fn`'s PREDICT features (EVAL: its labels; input_fn called
    as the Estimator calls it) as numpy: an input the checker then fixes."""
    with tf.Graph().as_default():
        features, labels, hooks = mode_inputs(input_fn, mode,
                                              params if params is not None else {})
        for hook in hooks:
            hook.begin()
        with _v1.Session() as session:
            for hook in hooks:
                hook.after_create_session(session, None)
            return session.run(features if mode == PREDICT else labels)


def _constant_input(features: Any, batch: int) -> Callable:
    def input_fn():
        return tf.data.Dataset.from_tensor_slices(features).batch(batch)

    return input_fn


def _batch_then_singles(features: Any, batch: int) -> Callable:
    """The probes as one batch twice, then the first PROBES of them one per batch (the
    same element spec, so one graph and one restore serve all three)."""
    def input_fn():
        examples = tf.data.Dataset.from_tensor_slices(features)
        return examples.batch(batch).repeat(2).concatenate(examples.take(PROBES).batch(1))

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


def _trace(functions: dict, params: dict | None, input_fn: Callable,
           dataflow: dict | None = None, builds: dict | None = None) -> dict[str, Any]:
    """The modes traced with the learner's own input_fn (called with the mode and params);
    `dataflow`, when given, gets {mode: positions} of DATAFLOW_MODES read from the same
    graphs (None for a mode whose model_fn raised); `builds` gets {mode: (graph, build)}
    of EVAL and PREDICT (kept to run the model as saved on the probes after training)."""
    from ckptlab.trace.modes import trace_modes

    def read(mode: str, graph: Any, build: Any) -> None:
        if mode in DATAFLOW_MODES:
            dataflow[mode] = positions_in(graph)
        if builds is not None and mode in (EVAL, PREDICT):
            builds[mode] = (graph, build)

    if dataflow is not None:
        dataflow.update(dict.fromkeys(DATAFLOW_MODES))
    return _mode_trace(trace_modes(functions["model_fn"], params, input_fn=input_fn,
                                   on_graph=read if dataflow is not None else None))


def _serve(run: Run, estimator: Any, predict_many: Callable, log: TensorFlowLog
           ) -> dict[str, Any]:
    from ckptlab.estimator.recording import TALLY

    x, _ = _synthetic()
    examples = [{"x": row} for row in x[:SERVED_EXAMPLES]]
    # every Estimator counts, the learner's own new ones too: the engine's tally (whatever
    # Recorder each has), and every Saver.restore for tf.estimator itself (TF <= 2.15),
    # whose log the learner may have quieted
    before, lines, saver_restores = dict(TALLY), len(log.records), [0]
    real_restore = _v1.train.Saver.restore

    def counted_restore(saver, *args, **kwargs):
        saver_restores[0] += 1
        return real_restore(saver, *args, **kwargs)

    _v1.train.Saver.restore = counted_restore
    try:
        ok, _ = run.call("predict_many", predict_many, estimator, examples)
    finally:
        _v1.train.Saver.restore = real_restore
    graphs = TALLY["model_fn_called"] - before["model_fn_called"]
    restores = TALLY["checkpoint_restored"] - before["checkpoint_restored"]
    if not graphs and not restores:  # tf.estimator itself: its restores, its log's graphs
        restores = saver_restores[0]
        # (each predict() call builds its graph, then restores once: when the learner
        # quieted the log, its restores tell how many graphs it built)
        graphs = log.count("Calling model_fn", lines) or restores
    return {"examples": len(examples), "ok": ok, "graphs": graphs, "restores": restores}


def _predictions(run: Run, functions: dict, model_dir: str, params: Any, recorder: Any,
                 predict_input: Callable, log: TensorFlowLog) -> None:
    est = run.obs["estimator"]
    outputs = []
    for number in (1, 2):
        hook = _SessionValues()
        ok, predictor = run.prepare("predict", _make, model_dir, params, recorder, functions)
        ok, out = run.call("predict", _predict, predictor, predict_input, BATCH,
                           [hook]) if ok else (False, [])
        if ok:
            outputs.append(out)
        if number == 1 and ok:
            est.setdefault("restored", {})["predict"] = hook.start_values
        if number == 1 and ok and functions.get("predict_many"):
            est["serving"] = _serve(run, predictor, functions["predict_many"], log)
    if len(outputs) < 2:
        return
    record = {"examples": len(outputs[0]), "largest_gap": _largest_gap(*outputs),
              "outputs": [_raw(out) for out in outputs]}
    try:  # the checker's probes: tell "the model is random" from "the input is"
        features = load_probe(Path(model_dir).parent / PROBE_FILE)  # the trace stage's
        if features is None:
            features = make_probe(_fixed_features(predict_input, params), BATCH)
        record["probe_digest"] = digest(features)
        # one restore: the probes in one batch, the same batch again (the session's own
        # repeat), then the first PROBES one at a time
        runs = _predict(_make(model_dir, params, None, functions),
                        _batch_then_singles(features, BATCH), 2 * BATCH + PROBES,
                        needed=2 * BATCH)
        fixed, single = [runs[:BATCH], runs[BATCH:2 * BATCH]], runs[2 * BATCH:]
        gap = record["largest_gap"]
        if gap is None or gap > TOLERANCE:  # random model or random input: a new restore
            fixed[1] = _predict(_make(model_dir, params, None, functions),
                                _constant_input(features, BATCH))
        record["fixed_outputs"] = [_raw(out) for out in fixed]
        record["single_outputs"] = [_flat(p) for p in single]
        record["batched_outputs"] = [_flat(p) for p in fixed[0][:len(single)]]
    except Exception as error:  # the learner's predictions already ran; probes are extra
        if "fixed_outputs" not in record:
            _not_compared(run, WHERE_PREDICT, error)
    est["predict"] = record


def _not_compared(run: Run, where: str, error: Exception | str, detail: str = "") -> None:
    """Say why the outputs after a restore are not compared (a reason of not_compared)."""
    if isinstance(error, NotComparable):
        reason, detail = error.reason, error.detail
    elif isinstance(error, Exception):
        reason, detail = "failed", f"{type(error).__name__}: {str(error).splitlines()[0]}" \
            if str(error) else type(error).__name__
    else:
        reason = error
    run.obs["estimator"].setdefault("not_compared", []).append(
        stand_down(where, reason, detail))


def _label_probe(input_fn: Callable, params: Any) -> Any:
    """Probe labels with the structure of input_fn's EVAL labels (None without labels)."""
    try:
        labels = _fixed_features(input_fn, params, EVAL)
    except Exception:  # EVAL's loss is then not compared; its predictions still are
        return None
    return None if labels is None else make_probe(labels, BATCH, LABELS_SEED)


def _saved_on_probe(run: Run, builds: dict, values: dict, given: dict, workdir: Path
                    ) -> dict[str, Any] | None:
    """The checker's probes (left in the work folder for the restore stage) and the model
    as saved run on them in the tracer's graphs (runners/probes); None (and why) when it
    cannot."""
    try:
        probe = make_probe(_fixed_features(given["predict_input"], given["params"]), BATCH)
        labels = _label_probe(given["input_fn"], given["params"])
        record = saved_outputs(builds, values, probe, BATCH, labels)
        # left only with a model as saved to compare with (the restore stage makes the
        # same probes itself for its other uses)
        save_probe(probe, workdir / PROBE_FILE, labels)
        return record
    except Exception as error:  # an extra comparison: the learner's own stages already ran
        _not_compared(run, WHERE_RESTORE, error)
        return None


def _built(functions: dict, mode: str, params: Any, input_fn: Callable) -> tuple[Any, Any]:
    """model_fn's graph in `mode` (graph, ModeBuild), built by the tracer from the input_fn
    the trace stage traced with (the same input tensors)."""
    from ckptlab.trace.modes import trace_mode

    builds: dict[str, Any] = {}
    trace_mode(functions["model_fn"], mode, params, input_fn=input_fn,
               on_graph=lambda built, graph, build: builds.update({built: (graph, build)}))
    if mode not in builds:
        raise NotComparable("failed", f"model_fn in {mode.upper()}")
    return builds[mode]


def _evaluate_on_probe(run: Run, functions: dict, params: Any, input_fn: Callable,
                       values: dict, workdir: Path) -> None:
    """The model evaluate() restored (EVAL graph, the values its session held after its
    restore, hooks and Scaffold) run on the trace stage's probes: evaluate() returns only
    metrics. One EVAL graph built again here (~1 model_fn call and one session)."""
    probe = load_probe(workdir / PROBE_FILE)
    if probe is None:
        return  # the trace stage made none, and said why
    try:
        run.obs["estimator"]["evaluate_probe"] = evaluated_outputs(
            _built(functions, EVAL, params, input_fn), values, probe, BATCH,
            load_probe(workdir / PROBE_FILE, "l"))
    except Exception as error:  # evaluate() itself ran; this comparison is extra
        _not_compared(run, WHERE_EVALUATE, error)


def _resume_on_probe(run: Run, functions: dict, params: Any, input_fn: Callable,
                     values: dict, workdir: Path) -> None:
    """The model the resumed train() restored (the values its session started from, after
    its restore, training hooks and Scaffold) run on the trace stage's probes in a PREDICT
    graph built here (~1 model_fn call and one session): train() returns no outputs. (The
    resume runs beside evaluate(), in another process: no EVAL graph here to reuse.)"""
    probe = load_probe(workdir / PROBE_FILE)
    if probe is None:
        return  # the trace stage made none, and said why
    try:
        record = predicted_outputs(_built(functions, PREDICT, params, input_fn), values,
                                   probe, BATCH)
        run.obs["estimator"]["resume_probe"] = {"graph": PREDICT, **record}
    except Exception as error:  # the resume itself ran; this comparison is extra
        _not_compared(run, WHERE_RESUME, error)


def _warm_start(run: Run, functions: dict, workdir: Path, params: Any, input_fn: Callable):
    """Train a 'pretrained' model first; WarmStartSettings from it with the learner's options."""
    settings = functions.get("WARM_START")
    if not settings:
        return None, ""
    pretrained = str(workdir / "pretrained")
    ok, teacher = run.prepare("pretrain", _make, pretrained, params, None, functions)
    if ok:
        ok, _ = run.call("pretrain", teacher.train, input_fn, steps=TRAIN_STEPS,
                         hooks=[_StopAfterRuns(TRAIN_STEPS * 4)])
    if not ok:
        return None, ""
    api = _estimator_api()
    return api.WarmStartSettings(pretrained, **dict(settings)), "pretrained"


def _begin(functions: dict[str, Any], workdir: Path, learner_files: set[str],
           emit: Callable[[str, dict], None] | None) -> tuple[Run, dict[str, Any]]:
    run = Run("estimator", learner_files, emit, str(workdir))
    kind = "tf.function" if hasattr(functions["model_fn"], "python_function") else "function"
    est = run.obs["estimator"] = {"model_dir": MODEL_DIR, "model_fn_kind": kind}
    return run, est


def _inputs(functions: dict[str, Any]) -> dict[str, Any]:
    params = functions.get("PARAMS")
    input_fn = functions.get("input_fn") or default_input_fn
    return {"params": params, "restore_params": functions.get("RESTORE_PARAMS", params),
            "input_fn": input_fn, "eval_input": functions.get("eval_input_fn") or input_fn,
            "predict_input": functions.get("predict_input_fn") or input_fn}


def trace_stage(track: str, functions: dict[str, Any], workdir: Path, learner_files: set[str],
                emit: Callable[[str, dict], None] | None = None, waiting_fd: int | None = None,
                **_: Any) -> dict[str, Any]:
    """Stage 1 (its own process, beside train_stage on the other core; after it with one
    CPU, when the wait ends at once): trace the modes;
    once the train process has exited (`waiting_fd` reaches end of file: the supervisor
    closes the other end then), run the model as training left it on the checker's
    probes in the traced graphs."""
    return _trace_then_probe(functions, workdir, learner_files, emit,
                             lambda: _wait_for_end(waiting_fd))


def _wait_for_end(fd: int | None) -> None:
    if fd is None:
        return
    with contextlib.suppress(OSError):
        while os.read(fd, 4096):
            pass
        os.close(fd)


def _trace_then_probe(functions: dict[str, Any], workdir: Path, learner_files: set[str],
                      emit: Callable[[str, dict], None] | None, wait: Callable[[], None]
                      ) -> dict[str, Any]:
    run, est = _begin(functions, workdir, learner_files, emit)
    given = _inputs(functions)
    params, input_fn = given["params"], given["input_fn"]
    with Listening(run):
        flow: dict[str, Any] = {}  # read from the tracer's graphs: no model built twice
        builds: dict[str, Any] = {}
        traced, est["modes"] = run.call("trace modes", _trace, functions, params, input_fn,
                                        flow, builds)
        est["dataflow"] = flow if traced else None
        if given["restore_params"] != params:
            est["restore_modes"] = run.call("trace modes", _trace, functions,
                                           given["restore_params"], input_fn)[1]
        wait()
        end = _train_end(workdir)  # None: train could not even make its Estimator
        if end is not None and builds:
            if given["restore_params"] != params:
                _not_compared(run, WHERE_RESTORE, "restore_params")
            elif end["clean"] and not run.obs["errors"]:
                est["probe"] = _saved_on_probe(run, builds, end["arrays"], given, workdir)
    return run.obs


def _train_end(workdir: Path) -> dict[str, Any] | None:
    """What the train stage left for the probes (TRAIN_END_FILE), None if nothing usable.

    A pickle, unpickled only here: in a process that runs the same learner's code anyway,
    never by the grader or the judge."""
    try:
        with (workdir / TRAIN_END_FILE).open("rb") as handle:
            end = pickle.load(handle)
        return end if isinstance(end, dict) and isinstance(end.get("arrays"), dict) else None
    except Exception:  # written by a process that ran learner code: anything may be there
        return None


def _leave_train_end(workdir: Path, end: dict[str, Any]) -> None:
    """TRAIN_END_FILE, whole or not at all (no room, a file size limit: then the trace
    stage finds none, and the judge, without outputs of the model as saved and without a
    reason, calls the check unverified)."""
    staged = workdir / (TRAIN_END_FILE + ".part")
    try:
        with staged.open("wb") as handle:
            pickle.dump(end, handle)
        os.replace(staged, workdir / TRAIN_END_FILE)
    except Exception:  # training itself ran: only the probes are lost
        with contextlib.suppress(OSError):
            staged.unlink()


def train_stage(track: str, functions: dict[str, Any], workdir: Path, learner_files: set[str],
                emit: Callable[[str, dict], None] | None = None, **_: Any) -> dict[str, Any]:
    """Stage 1 (its own process, beside trace_stage): pretrain for a warm start, train;
    leave the session's values at the end for the probes (TRAIN_END_FILE). The trace
    process waits until this process has exited."""
    from ckptlab.events import Recorder

    run, est = _begin(functions, workdir, learner_files, emit)
    given = _inputs(functions)
    params, input_fn = given["params"], given["input_fn"]
    model_dir = str(workdir / est["model_dir"])
    with Listening(run):
        warm, source = _warm_start(run, functions, workdir, params, input_fn)
        ok, trainer = run.prepare("train", _make, model_dir, params, Recorder(), functions,
                                  warm)
        if not ok:
            return run.obs
        workdir.mkdir(parents=True, exist_ok=True)  # a real tf.estimator makes model_dir later
        (workdir / TRAINED_MARK).write_text("")
        hook = _StopAfterRuns(TRAIN_STEPS * 4, keep="end")  # the model as saved, for probes
        run.call("train", trainer.train, input_fn, steps=TRAIN_STEPS, hooks=[hook])
        est["train"] = {"session_runs": hook.done,
                        "checkpoints": checkpoint_prefixes(model_dir),
                        "trainable": hook.trainable, "assigned": hook.assigned,
                        "warm_start_from": source, "end_values": hook.end_values}
        _leave_train_end(workdir, {"arrays": hook.arrays, "clean": not run.obs["errors"]})
    run.emit("train", run.obs)
    return run.obs


def restore_stage(track: str, functions: dict[str, Any], workdir: Path,
                  learner_files: set[str], emit: Callable[[str, dict], None] | None = None,
                  **_: Any) -> dict[str, Any]:
    """Stage 2 (a fresh process: nothing of training in memory): evaluate with a new
    Estimator restoring the model_dir; its session reports the values it restored."""
    from ckptlab.events import Recorder

    run, est = _begin(functions, workdir, learner_files, emit)
    if not (workdir / TRAINED_MARK).is_file():
        return run.obs  # no Estimator could even be made: that failure is the train stage's
    given = _inputs(functions)
    model_dir = str(workdir / est["model_dir"])
    with Listening(run):
        evaluator = run.prepare("evaluate", _make, model_dir, given["restore_params"],
                                Recorder(), functions)[1]
        if evaluator is not None:
            # the values evaluate()'s session restored: reported, and run on the probes
            hook = _SessionValues(keep="start")
            ok, _ = run.call("evaluate", evaluator.evaluate, given["eval_input"], hooks=[hook])
            if ok:
                est.setdefault("restored", {})["evaluate"] = hook.start_values
                _evaluate_on_probe(run, functions, given["restore_params"],
                                   given["input_fn"], hook.arrays, workdir)
    return run.obs


def predict_stage(track: str, functions: dict[str, Any], workdir: Path,
                  learner_files: set[str], emit: Callable[[str, dict], None] | None = None,
                  **_: Any) -> dict[str, Any]:
    """Stage 2 beside restore_stage (another fresh process): predict with new estimators
    restoring the model_dir (and serve, and run the checker's probes), then resume
    training from a copy of the model_dir."""
    from ckptlab.events import Recorder

    run, est = _begin(functions, workdir, learner_files, emit)
    if not (workdir / TRAINED_MARK).is_file():
        return run.obs
    given = _inputs(functions)
    model_dir = str(workdir / est["model_dir"])
    est["serves"] = bool(functions.get("predict_many"))  # (words for a stop: tracks.STEPS)
    with Listening(run) as log:
        _predictions(run, functions, model_dir, given["restore_params"], Recorder(),
                     given["predict_input"], log)
        resumed = workdir / RESUME_DIR
        if run.prepare("resume", copy_model_dir, Path(model_dir), resumed)[0]:
            _resume(run, functions, str(resumed), given, workdir)
    return run.obs


def copy_model_dir(model_dir: Path, copy: Path) -> None:
    """A copy of `model_dir` that is its own: its `checkpoint` state names the copied
    checkpoints (a Saver with save_relative_paths=False writes absolute paths, which would
    let a resume in the copy restore from, and delete checkpoints of, the original while
    evaluate() reads it beside it)."""
    shutil.rmtree(copy, ignore_errors=True)
    if not model_dir.is_dir():
        return
    shutil.copytree(model_dir, copy, symlinks=True)
    state = copy / "checkpoint"
    if state.is_file():  # (a link is read through and replaced by a file of the copy's own)
        text = state.read_text().replace(f'"{model_dir}{os.sep}', '"')
        state.unlink()
        state.write_text(text)


def _resume(run: Run, functions: dict[str, Any], model_dir: str, given: dict,
            workdir: Path) -> None:
    """Resume training from the model_dir for a few steps; then the model it restored is
    run on the probes the trace stage left in `workdir`."""
    from ckptlab.events import Recorder

    est = run.obs["estimator"]
    ok, resumer = run.prepare("resume", _make, model_dir, given["params"], Recorder(), functions)
    if ok:
        hook = _StopAfterRuns(RESUME_STEPS * 4, keep="start")
        ok, _ = run.call("resume", resumer.train, given["input_fn"], steps=RESUME_STEPS,
                         hooks=[hook])
        if ok:  # (no probes when RESTORE_PARAMS differ: the trace stage said so)
            _resume_on_probe(run, functions, given["params"], given["input_fn"],
                             hook.arrays, workdir)
        est["resume"] = {"session_runs": hook.done, "start_values": hook.start_values,
                         "end_values": hook.end_values,
                         "checkpoints": checkpoint_prefixes(model_dir)}


def run_estimator(functions: dict[str, Any], workdir: Path, learner_files: set[str],
                  emit: Callable[[str, dict], None] | None = None,
                  seeded: Callable[[], Any] = contextlib.nullcontext) -> dict[str, Any]:
    """The stages one after the other in this process (the in-kernel fallback,
    which is not isolated); returns the merged observations for the judge. `seeded`:
    the set-up each stage gets afresh, as each stage process does (tracks.seeded)."""
    from ckptlab.checker.judge import merged_stages

    order = (TRACE, TRAIN, RESTORE, PREDICTING)  # the stage list's, whatever runs when
    live: dict[str, dict[str, Any]] = {}  # each stage's latest observations

    def emitter(name: str) -> Callable[[str, dict], None]:
        def emit_stage(stage: str, obs: dict) -> None:
            live[name] = obs
            if emit is not None:
                emit(stage, merged_stages([live[n] for n in order if n in live]))
        return emit_stage

    def train() -> None:  # in the middle of the trace stage, as in two processes
        with seeded():  # each stage seeded afresh, as each stage process is
            live[TRAIN] = train_stage("estimator", functions, workdir, learner_files,
                                      emitter(TRAIN))
        if (workdir / MODEL_DIR).is_dir():
            # what train wrote, as the judge reads it (the grader's copy in staged runs)
            shutil.copytree(workdir / MODEL_DIR, workdir / AFTER_TRAIN, dirs_exist_ok=True)

    with seeded():
        live[TRACE] = _trace_then_probe(functions, workdir, learner_files, emitter(TRACE),
                                        train)
    (workdir / TRAIN_END_FILE).unlink(missing_ok=True)  # as the grader's vault does
    for name, stage in ((RESTORE, restore_stage), (PREDICTING, predict_stage)):
        with seeded():
            live[name] = stage("estimator", functions, workdir, learner_files, emitter(name))
    return merged_stages([live[n] for n in order if n in live])
