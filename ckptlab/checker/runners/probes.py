"""The checker's probe inputs on the Estimator track, and the model as saved run on them.

Probes are made by the checker, unlike the training data: the learner's first PREDICT
batch gives only their structure (dict keys, dtypes, per-example shapes) and ranges (int
ids stay within the ids the data uses, so they still index embeddings; strings are drawn
from the strings it holds); the values are drawn with a fixed seed. The trace stage (beside
train) makes them and leaves them in the work folder (PROBE_FILE) so the restore stage, a
fresh process, predicts on exactly the same ones; both report their digest to the judge.

`saved_outputs` runs the mode tracer's PREDICT and EVAL graphs (built in the trace stage's
process anyway) on the probes, with the values the training session held after its last
step (left by the train process) loaded by variable name: the model as it was saved,
without a restore and without building model_fn again. The judge compares those
outputs with the restored model's.
`evaluated_outputs` does the same in the restore stage with the values evaluate()'s
session held after its own restore (its hooks and Scaffold included): evaluate() returns
metrics, not outputs, so this is the model evaluate() restored, run on the probes. The
resumed train() is run so too, in the predict stage, with the values its session started
from, in a PREDICT graph built there (`predicted_outputs`).
When a model cannot be run so, `NotComparable` says why (not_compared.REASONS).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf

from ckptlab.checker.judge import PROBE_FILE
from ckptlab.mode_names import EVAL, PREDICT, label

__all__ = ["LABELS_SEED", "PROBE_FILE", "PROBE_SEED", "NotComparable", "digest",
           "evaluated_outputs", "load_probe", "make_probe", "predicted_outputs", "rows",
           "save_probe", "saved_outputs"]

_v1 = tf.compat.v1
PROBE_SEED = 20261201
_SINGLE = "__features__"  # the npz key of features that are one tensor, not a dict


def _probe_array(data: np.ndarray, count: int, number: int) -> np.ndarray:
    rng = np.random.default_rng([PROBE_SEED, number])
    data = np.asarray(data)
    inner = data.shape[1:] if data.ndim else ()
    shape = (count, *inner)
    if data.dtype.kind == "f":
        scale = float(data.std()) if data.size and np.isfinite(data).all() else 1.0
        centre = float(data.mean()) if data.size and np.isfinite(data).all() else 0.0
        scale = scale if scale > 0 else 1.0
        # wider than the data and shifted: not values the model was trained on
        return (centre + scale * (1.5 * rng.standard_normal(shape) + 0.5)).astype(data.dtype)
    if data.dtype.kind == "b":
        return rng.integers(0, 2, size=shape).astype(bool)
    if data.dtype.kind in "iu":
        low, high = (int(data.min()), int(data.max())) if data.size else (0, 0)
        return rng.integers(low, high + 1, size=shape).astype(data.dtype)
    # strings (bytes): drawn from those the data holds (vocabularies look them up)
    seen = sorted({bytes(v) if not isinstance(v, str) else v.encode() for v in data.ravel()})
    seen = seen or [b""]
    return np.asarray(seen, dtype=bytes)[rng.integers(0, len(seen), size=shape)]


def make_probe(batch: Any, count: int, first: int = 0) -> Any:
    """`count` probe examples with the structure of `batch` (numpy features or a dict;
    `first`: where the seeds of its arrays start, so labels get draws of their own)."""
    if isinstance(batch, Mapping):
        return {key: _probe_array(batch[key], count, first + number)
                for number, key in enumerate(sorted(batch))}
    return _probe_array(batch, count, first)


LABELS_SEED = 1000  # make_probe(labels, count, LABELS_SEED)


def save_probe(probe: Any, path: Path, labels: Any = None) -> None:
    """Features under f_<key>, labels (when given) under l_<key>."""
    found = {}
    for prefix, part in (("f", probe), ("l", labels)):
        if part is not None:
            arrays = dict(part) if isinstance(part, Mapping) else {_SINGLE: part}
            found.update({f"{prefix}_{key}": value for key, value in arrays.items()})
    with open(path, "wb") as out:
        np.savez(out, **found)


def load_probe(path: Path, part: str = "f") -> Any:
    """The probe's features ("f") or labels ("l") the trace stage left, or None (no
    pickles are ever loaded)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key[2:]: data[key] for key in data.files if key[:2] == f"{part}_"}
    except (OSError, ValueError):
        return None
    if not arrays:
        return None
    return arrays[_SINGLE] if set(arrays) == {_SINGLE} else arrays


def digest(probe: Any) -> str:
    """Which probe it is: keys, dtypes, shapes and bytes."""
    arrays = dict(probe) if isinstance(probe, Mapping) else {_SINGLE: probe}
    hashed = hashlib.sha256()
    for key in sorted(arrays):
        value = np.ascontiguousarray(arrays[key])
        hashed.update(f"{key}|{value.dtype.str}|{value.shape}|".encode())
        hashed.update(value.tobytes())
    return hashed.hexdigest()[:16]


def rows(predictions: Any, count: int) -> list[list[float]]:
    """Per-example flat values (keys in sorted order) of a batch of predictions."""
    values = [predictions[k] for k in sorted(predictions)] \
        if isinstance(predictions, Mapping) else [predictions]
    arrays = [np.asarray(v, np.float64).reshape(count, -1) for v in map(np.asarray, values)
              if v.dtype.kind in "fiub"]
    return np.concatenate(arrays, axis=1).tolist() if arrays else []


class NotComparable(Exception):
    """The model cannot be run on the probes as saved or restored: `reason` is a key of
    not_compared.REASONS, `detail` its fact (a variable name, a shape)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


def _feed(tensors: Any, probe: Any, count: int, name: str) -> list[tuple[Any, Any]]:
    """(tensor, probe array) pairs; a tensor of a fixed batch size other than the probe's
    is NotComparable (`name`: "features" or "labels", for the reason's detail)."""
    if isinstance(tensors, Mapping):
        if not isinstance(probe, Mapping) or set(tensors) != set(probe):
            raise ValueError("the probe has other keys than the graph's inputs")
        named = [(f"{name}[{key!r}]", tensors[key], probe[key]) for key in sorted(tensors)]
    else:
        named = [(name, tensors, probe)]
    for what, tensor, _ in named:
        shape = tensor.shape.as_list() if tensor.shape.rank else []
        if shape and shape[0] is not None and shape[0] != count:
            raise NotComparable("fixed_batch", f"{what} has the shape {tuple(shape)}")
    return [(tensor, value) for _, tensor, value in named]


def _comparable(predict: Any, other: Any) -> bool:
    """The EVAL spec carries the predictions PREDICT makes (same keys), so they must agree."""
    if isinstance(predict, Mapping) or isinstance(other, Mapping):
        return isinstance(predict, Mapping) and isinstance(other, Mapping) \
            and bool(other) and set(predict) == set(other)
    return other is not None and predict is not None


def _upstream(fetches: Any) -> set[str]:
    """The names of the ops `fetches` (tensors, possibly nested) are computed from."""
    todo = [t.op for t in tf.nest.flatten(fetches) if hasattr(t, "op")]
    seen: set[str] = set()
    while todo:
        op = todo.pop()
        if op.name in seen:
            continue
        seen.add(op.name)
        todo.extend(t.op for t in op.inputs)
        todo.extend(op.control_inputs)
    return seen


def _missing(variable: Any) -> NotComparable:
    """Why a variable the outputs need has no value to load (not_compared.REASONS): the
    values come from the session's every variable, so it was not in that session."""
    return NotComparable("not_in_session", variable.op.name)


class _Loaded:
    """A session of `graph` whose variables that `fetches` depend on hold their values in
    `values` (each initializer run with its initial value fed, all in one session run;
    the others keep their initial values), fed the probe."""

    def __init__(self, graph: Any, build: Any, values: dict[str, Any], probe: Any,
                 count: int, fetches: Any, labels: Any = None):
        self.graph = graph
        with graph.as_default():
            variables = [*_v1.global_variables(), *_v1.local_variables()]
            local = {v.op.name for v in _v1.local_variables()}
            needed = _upstream(fetches)
            loads: dict[Any, Any] = {}
            loaded = []
            for variable in variables:
                name = variable.op.name
                if name not in needed:
                    continue  # (an optimizer's counter in EVAL: nothing computed reads it)
                if name not in values and name in local:
                    continue  # made in this mode only (EVAL's metrics): a new session's too
                if name not in values:  # not the model as saved (or as restored) then
                    raise _missing(variable)
                shape = variable.shape.as_list() if variable.shape.rank is not None else None
                value = np.asarray(values[name], variable.dtype.base_dtype.as_numpy_dtype)
                if shape is not None and None not in shape:
                    if value.size != int(np.prod(shape)):
                        raise NotComparable("shape", f"{name}: {value.size} values for the "
                                            f"shape {tuple(shape)}")
                    value = value.reshape(shape)
                initial = variable.initializer.inputs[1]
                if initial in loads:  # one initial value for two variables
                    raise NotComparable("failed", f"{name} shares its initial value")
                loads[initial] = value
                loaded.append(name)
            pairs = _feed(build.features, probe, count, "features")
            if labels is not None and build.labels is not None:
                pairs += _feed(build.labels, labels, count, "labels")
            self.feed = dict(pairs)
            self.loaded, self.local = sorted(loaded), sorted(set(loaded) & local)
            init = [_v1.global_variables_initializer(), _v1.local_variables_initializer(),
                    _v1.tables_initializer()]
            self.session = _v1.Session(graph=graph)
            try:
                self.session.run(init, loads)
            except BaseException:
                self.session.close()
                raise

    def run(self, fetch: Any) -> Any:
        return self.session.run(fetch, self.feed)

    def __enter__(self) -> _Loaded:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.session.close()


def _loss(loaded: _Loaded, spec: Any) -> list[list[float]] | None:
    """EVAL's loss on the probe (and label probe) as one row, or None without one."""
    if getattr(spec, "loss", None) is None:
        return None
    return [[float(np.asarray(loaded.run(spec.loss), np.float64).ravel()[0])]]


def saved_outputs(builds: dict[str, tuple[Any, Any]], values: dict[str, Any], probe: Any,
                  count: int, labels: Any = None) -> dict[str, Any]:
    """The traced PREDICT graph (and EVAL: its loss on the probe and label probe, and its
    predictions when its spec carries PREDICT's) run on the probe with the trained
    session's `values`: the model as saved. Raises when the graphs cannot be run so (the
    caller drops the comparison and says why)."""
    if PREDICT not in builds:
        raise NotComparable("no_graph", label(PREDICT))
    graph, build = builds[PREDICT]
    predictions = build.spec.predictions
    record: dict[str, Any] = {"digest": digest(probe)}
    with _Loaded(graph, build, values, probe, count, predictions) as loaded:
        record["outputs"] = rows(loaded.run(predictions), count)
        record["loaded"], record["local"] = loaded.loaded, loaded.local
    if EVAL in builds:
        eval_graph, eval_build = builds[EVAL]
        eval_predictions = eval_build.spec.predictions
        comparable = _comparable(predictions, eval_predictions)
        # the loss needs labels when the EVAL graph takes any: without a label probe then,
        # only the predictions are compared (an input_fn without labels needs none)
        with_loss = eval_build.spec.loss is not None \
            and (labels is not None or eval_build.labels is None)
        fetches = [*([eval_build.spec.loss] if with_loss else []),
                   *([eval_predictions] if comparable else [])]
        try:
            with _Loaded(eval_graph, eval_build, values, probe, count, fetches,
                         labels) as loaded:
                if with_loss:
                    record["eval_loss"] = _loss(loaded, eval_build.spec)
                    if labels is not None:
                        record["labels_digest"] = digest(labels)
                if comparable:
                    record["eval_outputs"] = rows(loaded.run(eval_predictions), count)
        except Exception as error:  # PREDICT's comparison stays; the judge says why not EVAL's
            record["eval_failed"] = type(error).__name__
    return record


def evaluated_outputs(build: tuple[Any, Any], values: dict[str, Any], probe: Any,
                      count: int, labels: Any = None) -> dict[str, Any]:
    """The EVAL graph `build` (graph, ModeBuild) run twice on the probe with the values
    evaluate()'s session held after its restore: its loss (and its predictions, when it
    has any), each run twice (the judge tells a random EVAL graph from a restore that went
    wrong)."""
    graph, mode_build = build
    predictions = mode_build.spec.predictions
    record: dict[str, Any] = {"digest": digest(probe), "loss": [], "outputs": []}
    if labels is not None:
        record["labels_digest"] = digest(labels)
    has_predictions = predictions is not None and not (isinstance(predictions, Mapping)
                                                       and not predictions)
    fetches = [mode_build.spec.loss, *([predictions] if has_predictions else [])]
    with _Loaded(graph, mode_build, values, probe, count, fetches, labels) as loaded:
        for _ in range(2):
            loss = _loss(loaded, mode_build.spec)
            if loss is not None:
                record["loss"].append(loss)
        if has_predictions:
            with contextlib.suppress(Exception):  # (predictions that need what is not fed)
                record["outputs"] = [rows(loaded.run(predictions), count) for _ in range(2)]
    return record


def predicted_outputs(build: tuple[Any, Any], values: dict[str, Any], probe: Any,
                      count: int) -> dict[str, Any]:
    """The PREDICT graph `build` (graph, ModeBuild) run twice on the probe with `values` (a
    session's, e.g. those the resumed train() started from): its predictions, each run."""
    graph, mode_build = build
    predictions = mode_build.spec.predictions
    with _Loaded(graph, mode_build, values, probe, count, predictions) as loaded:
        return {"digest": digest(probe), "loss": [],
                "outputs": [rows(loaded.run(predictions), count) for _ in range(2)]}
