"""Handlers of `ckptlab inspect` and `ckptlab diff` (imported only when they run)."""

from __future__ import annotations

import json
import sys

import numpy as np

from ckptlab.checkpoint.diff import diff_checkpoints
from ckptlab.checkpoint.load import inspect_checkpoint
from ckptlab.checkpoint.values import read_value
from ckptlab.render.checkpoint import diff_text, index_text, shape_text


def _print_notes(notes) -> None:
    for note in notes:
        print(f"ckptlab: note: {note}", file=sys.stderr)


def values_payload(index, key: str) -> dict:
    info = index.variable(key) if key in index or any(v.path == key for v in index.variables) \
        else None
    value = read_value(index, key)
    payload = {"key": info.key if info else key, "shape": list(value.shape),
               "dtype": str(value.dtype)}
    if value.dtype.kind in "biuf" and value.size:
        payload.update(min=float(value.min()), max=float(value.max()),
                       mean=float(value.mean()), std=float(value.std()))
    payload["values"] = value.tolist() if value.dtype.kind != "S" else [
        v.decode("utf-8", "replace") for v in value.ravel()]
    return payload


def run_inspect(args) -> int:
    index = inspect_checkpoint(args.path)
    if args.values:
        payload = values_payload(index, args.values)
        if args.json:
            print(json.dumps(payload))
        else:
            _print_notes(index.notes)
            with np.printoptions(threshold=200, edgeitems=3):
                print(f"{payload['key']} {shape_text(tuple(payload['shape']))} "
                      f"{payload['dtype']}")
                print(np.asarray(read_value(index, args.values)))
        return 0
    if args.json:
        print(json.dumps(index.to_dict()))
    else:
        print(index_text(index))
    return 0


def run_diff(args) -> int:
    diff = diff_checkpoints(args.a, args.b)
    if args.json:
        print(json.dumps(diff.to_dict()))
    else:
        _print_notes(diff.a.notes + diff.b.notes)
        print(diff_text(diff))
    return 0
