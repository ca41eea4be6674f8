"""The checker's probe inputs on the Estimator track, and the model as saved run on them.

Probes are made by the checker, unlike the training data: the learner's first PREDICT
batch gives only their structure (dict keys, dtypes, per-example shapes) and ranges (int
ids stay within the ids the data uses, so they still index embeddings; strings are drawn
from the strings it holds); the values are drawn with a fixed seed. The train stage makes
them and leaves them in the work folder (PROBE_FILE) so the restore stage, a fresh
process, predicts on exactly the same ones; both report their digest to the judge.

`saved_outputs` runs the mode tracer's PREDICT and EVAL graphs (built in the train stage's
process anyway) on the probes, with the values the training session held after its last
step loaded by variable name: the model as it was saved, without a restore and without
building model_fn again. The judge compares those outputs with the restored model's.
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
from ckptlab.mode_names import EVAL, PREDICT

__all__ = ["PROBE_FILE", "PROBE_SEED", "digest", "load_probe", "make_probe", "rows",
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


def make_probe(batch: Any, count: int) -> Any:
    """`count` probe examples with the structure of `batch` (numpy features or a dict)."""
    if isinstance(batch, Mapping):
        return {key: _probe_array(batch[key], count, number)
                for number, key in enumerate(sorted(batch))}
    return _probe_array(batch, count, 0)


def save_probe(probe: Any, path: Path) -> None:
    arrays = dict(probe) if isinstance(probe, Mapping) else {_SINGLE: probe}
    with open(path, "wb") as out:
        np.savez(out, **{f"f_{key}": value for key, value in arrays.items()})


def load_probe(path: Path) -> Any:
    """The probe the train stage left, or None (no pickles are ever loaded)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key[2:]: data[key] for key in data.files}
    except (OSError, ValueError):
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


def _feed(features: Any, probe: Any) -> dict[Any, Any]:
    if isinstance(features, Mapping):
        if not isinstance(probe, Mapping) or set(features) != set(probe):
            raise ValueError("the probe has other feature keys than the graph")
        return {features[key]: probe[key] for key in features}
    return {features: probe}


def _comparable(predict: Any, other: Any) -> bool:
    """The EVAL spec carries the predictions PREDICT makes (same keys), so they must agree."""
    if isinstance(predict, Mapping) or isinstance(other, Mapping):
        return isinstance(predict, Mapping) and isinstance(other, Mapping) \
            and bool(other) and set(predict) == set(other)
    return other is not None and predict is not None


def _run(graph: Any, build: Any, predictions: Any, values: dict[str, Any], probe: Any,
         count: int) -> tuple[list[list[float]], list[str], list[str]]:
    """(outputs, variables loaded, local ones among them) of one graph on the probe."""
    with graph.as_default():
        variables = [*_v1.global_variables(), *_v1.local_variables()]
        local = {v.op.name for v in _v1.local_variables()}
        init = [_v1.global_variables_initializer(), _v1.local_variables_initializer(),
                _v1.tables_initializer()]
        with _v1.Session(graph=graph) as session:
            session.run(init)
            loaded = []
            for variable in variables:
                name = variable.op.name
                if name not in values and name in local:
                    continue  # made in this mode only (EVAL's metrics): a new session's too
                if name not in values:  # (over the report's budget, or not a float)
                    raise ValueError(f"no trained value of {name}: not the model as saved")
                shape = variable.shape.as_list() if variable.shape.rank is not None else None
                value = np.asarray(values[name], variable.dtype.base_dtype.as_numpy_dtype)
                if shape is not None and None not in shape:
                    value = value.reshape(shape)
                session.run(variable.initializer, {variable.initializer.inputs[1]: value})
                loaded.append(name)
            out = session.run(predictions, _feed(build.features, probe))
    return rows(out, count), sorted(loaded), sorted(set(loaded) & local)


def saved_outputs(builds: dict[str, tuple[Any, Any]], values: dict[str, Any], probe: Any,
                  count: int) -> dict[str, Any]:
    """The traced PREDICT (and EVAL, when its spec carries the same predictions) graphs
    run on the probe with the trained session's `values`: the model as saved. Raises when
    the graphs cannot be run so (the caller drops the comparison)."""
    graph, build = builds[PREDICT]
    predictions = build.spec.predictions
    record: dict[str, Any] = {"digest": digest(probe)}
    record["outputs"], record["loaded"], record["local"] = _run(
        graph, build, predictions, values, probe, count)
    if EVAL in builds:
        eval_graph, eval_build = builds[EVAL]
        eval_predictions = eval_build.spec.predictions
        if _comparable(predictions, eval_predictions):
            # (e.g. EVAL's predictions need the labels: PREDICT's comparison stays)
            with contextlib.suppress(Exception):
                record["eval_outputs"] = _run(eval_graph, eval_build, eval_predictions,
                                              values, probe, count)[0]
    return record
