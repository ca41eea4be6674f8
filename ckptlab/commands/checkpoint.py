"""Handlers of `ckptlab inspect` and `ckptlab diff` (imported only when they run)."""

from __future__ import annotations

import json
import sys

import numpy as np

from ckptlab.checkpoint.bundle import clip
from ckptlab.checkpoint.diff import diff_checkpoints
from ckptlab.checkpoint.load import inspect_checkpoint
from ckptlab.checkpoint.records import json_budget
from ckptlab.checkpoint.values import read_value
from ckptlab.render.checkpoint import MAX_NAME, diff_text, index_text
from ckptlab.render.units import shape_text


def _print_notes(notes) -> None:
    for note in notes:
        print(f"ckptlab: note: {note}", file=sys.stderr)


MAX_JSON_VALUES = 100_000  # values printed by `inspect --values KEY --json`
MAX_STRING_CHARS = 200  # characters of one string value in the text view


def _json_ready(value: np.ndarray) -> np.ndarray:
    """Values JSON can hold: strings as text, complex as [re, im], other floats as float."""
    if value.dtype.kind == "O":
        return np.array([v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                         for v in value.ravel()], dtype=object).reshape(value.shape)
    if value.dtype.kind == "c":
        return np.stack([value.real, value.imag], axis=-1)
    if value.dtype.kind not in "biuf":  # bfloat16, float8 ... (ml_dtypes)
        return value.astype(np.float32)
    return value


def values_payload(index, key: str) -> dict:
    """One variable's values for --json: summary figures, and at most MAX_JSON_VALUES
    values (nested like the shape; past that the first ones, flat, and "truncated")."""
    info = index.variable(key) if key in index or any(v.path == key for v in index.variables) \
        else None
    value = read_value(index, key)
    payload = {"key": info.key if info else key, "shape": list(value.shape),
               "dtype": str(info.dtype if info else value.dtype)}
    numbers = _json_ready(value)
    if numbers.dtype.kind in "biuf" and numbers.size:
        wide = numbers.astype(np.float64)
        finite = wide[np.isfinite(wide)]
        payload.update(non_finite=int(wide.size - finite.size))
        if finite.size:
            payload.update(min=float(finite.min()), max=float(finite.max()),
                           mean=float(finite.mean()), std=float(finite.std()))
    if numbers.size <= MAX_JSON_VALUES:
        payload["values"] = _finite(numbers.tolist())
    else:
        payload["values"] = _finite(numbers.ravel()[:MAX_JSON_VALUES].tolist())
        payload["truncated"] = {"shown": MAX_JSON_VALUES, "total": int(numbers.size),
                                "reason": "values are listed flat, the first "
                                          f"{MAX_JSON_VALUES:,} only"}
    return payload


def _finite(listed):
    """`listed` (nested lists, at most 254 deep) with NaN and infinities as None."""
    if isinstance(listed, list):
        return [_finite(item) for item in listed]
    return None if isinstance(listed, float) and not np.isfinite(listed) else listed


def _values_text(value: np.ndarray) -> str:
    if value.dtype.kind == "O":
        value = np.array([v if len(v) <= MAX_STRING_CHARS else v[:MAX_STRING_CHARS] + b"..."
                          for v in value.ravel()], dtype=object).reshape(value.shape)
    with np.printoptions(threshold=200, edgeitems=3):
        return str(np.asarray(value))


def run_inspect(args) -> int:
    index = inspect_checkpoint(args.path)
    if args.values:
        if args.json:
            print(json.dumps(values_payload(index, args.values), allow_nan=False))
        else:
            _print_notes(index.notes)
            value = read_value(index, args.values)
            info = index.variable(args.values)
            print(f"{clip(info.key, MAX_NAME)} {shape_text(value.shape)} {info.dtype}")
            print(_values_text(value))
        return 0
    if args.json:
        print(json.dumps(index.to_dict(json_budget(_index_bytes(index))), allow_nan=False))
    else:
        print(index_text(index))
    return 0


def _index_bytes(index) -> int:
    return sum(f.nbytes for f in index.files if not f.name.split(".")[-1].startswith("data-"))


def run_diff(args) -> int:
    diff = diff_checkpoints(args.a, args.b)
    if args.json:
        budget = json_budget(_index_bytes(diff.a) + _index_bytes(diff.b))
        print(json.dumps(diff.to_dict(budget), allow_nan=False))
    else:
        _print_notes(diff.a.notes + diff.b.notes)
        print(diff_text(diff))
    return 0
