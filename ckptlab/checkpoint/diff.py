"""Compare two checkpoints: added, removed, shape/dtype changed, and how values moved."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from ckptlab.checkpoint.load import inspect_checkpoint
from ckptlab.checkpoint.records import CheckpointIndex, VariableInfo, bounded
from ckptlab.checkpoint.values import read_value

__all__ = ["DIFF_SCHEMA", "CheckpointDiff", "ValueChange", "diff_checkpoints"]

DIFF_SCHEMA = "ckptlab.diff/1"


@dataclass(frozen=True)
class ValueChange:
    key: str
    changed: bool  # any element differs
    fraction_changed: float  # share of elements that differ
    max_abs: float  # largest absolute change
    mean_abs: float
    relative: float  # ||b - a|| / ||a|| (inf when a is all zeros and b is not)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: NaN and infinite figures (values that were NaN) become null."""
        def finite(x: float) -> float | None:
            return x if math.isfinite(x) else None
        return {"key": self.key, "changed": self.changed,
                "fraction_changed": finite(self.fraction_changed),
                "max_abs": finite(self.max_abs), "mean_abs": finite(self.mean_abs),
                "relative": finite(self.relative)}


@dataclass(frozen=True)
class CheckpointDiff:
    """JSON (`to_dict`, `ckptlab diff --json`): {"schema": "ckptlab.diff/1", "a", "b",
    "step_a", "step_b", "added": [variable], "removed": [variable], "shape_changed":
    [{"key", "a", "b"}], "dtype_changed": [...], "values": [ValueChange], "unchanged": n,
    and "truncated": {list name: {"shown", "total", ...}} when lists were cut to a size}."""

    a: CheckpointIndex
    b: CheckpointIndex
    added: tuple[VariableInfo, ...]
    removed: tuple[VariableInfo, ...]
    shape_changed: tuple[tuple[VariableInfo, VariableInfo], ...]
    dtype_changed: tuple[tuple[VariableInfo, VariableInfo], ...]
    values: tuple[ValueChange, ...]  # one per common variable with equal shape and dtype

    @property
    def changed_values(self) -> tuple[ValueChange, ...]:
        return tuple(v for v in self.values if v.changed)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.shape_changed or self.dtype_changed
                    or self.changed_values)

    def to_dict(self, max_bytes: int | None = None) -> dict[str, Any]:
        """The JSON form; with `max_bytes`, each list stops at a fifth of it and
        "truncated" says, per list, how much was left out."""
        def pair(items):
            return [{"key": x.key, "a": x.to_dict(), "b": y.to_dict()} for x, y in items]
        share = None if max_bytes is None else max_bytes // 5
        payload: dict[str, Any] = {"schema": DIFF_SCHEMA, "a": self.a.path, "b": self.b.path,
                                   "step_a": self.a.step, "step_b": self.b.step}
        cuts = {}
        for name, items in (("added", [v.to_dict() for v in self.added]),
                            ("removed", [v.to_dict() for v in self.removed]),
                            ("shape_changed", pair(self.shape_changed)),
                            ("dtype_changed", pair(self.dtype_changed)),
                            ("values", [v.to_dict() for v in self.values])):
            payload[name], cut = bounded(items, share)
            if cut:
                cuts[name] = cut
        payload["unchanged"] = sum(1 for v in self.values if not v.changed)
        if cuts:
            payload["truncated"] = cuts
        return payload


def value_change(key: str, a: np.ndarray, b: np.ndarray) -> ValueChange:
    if a.dtype.kind not in "biufc":
        same = bool(np.array_equal(a, b))
        return ValueChange(key, not same, 0.0 if same else 1.0, 0.0, 0.0, 0.0)
    delta = np.abs(b.astype(np.float64) - a.astype(np.float64))
    size = max(delta.size, 1)
    norm_a = float(np.linalg.norm(a.astype(np.float64)))
    norm_d = float(np.linalg.norm(delta))
    relative = norm_d / norm_a if norm_a else (0.0 if norm_d == 0 else float("inf"))
    return ValueChange(key, bool(delta.any()), float(np.count_nonzero(delta)) / size,
                       float(delta.max(initial=0.0)), float(delta.sum() / size), relative)


def _as_index(value: CheckpointIndex | str | os.PathLike) -> CheckpointIndex:
    return value if isinstance(value, CheckpointIndex) else inspect_checkpoint(value)


def diff_checkpoints(a, b, *, values: bool = True) -> CheckpointDiff:
    """Compare checkpoint `a` (older) with `b` (newer): paths or CheckpointIndex objects.

    With values=True each common variable is read from both, one at a time.
    """
    a, b = _as_index(a), _as_index(b)
    keys_a, keys_b = set(a.keys), set(b.keys)
    common = sorted(keys_a & keys_b)
    shape_changed = tuple((a.variable(k), b.variable(k)) for k in common
                          if a.variable(k).shape != b.variable(k).shape)
    dtype_changed = tuple((a.variable(k), b.variable(k)) for k in common
                          if a.variable(k).dtype != b.variable(k).dtype)
    comparable = [k for k in common if a.variable(k).shape == b.variable(k).shape
                  and a.variable(k).dtype == b.variable(k).dtype]
    changes = tuple(value_change(k, read_value(a, k), read_value(b, k))
                    for k in comparable) if values else ()
    return CheckpointDiff(
        a, b,
        added=tuple(b.variable(k) for k in sorted(keys_b - keys_a)),
        removed=tuple(a.variable(k) for k in sorted(keys_a - keys_b)),
        shape_changed=shape_changed, dtype_changed=dtype_changed, values=changes)
