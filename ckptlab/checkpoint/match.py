"""Dry-run restore: what would a restore into these variables do, without touching them.

`match_restore(checkpoint, target)` accepts a plain list of (name, shape, dtype) specs
(what the mode tracer produces), tf.Variables, or a Keras model / tf.Module. Name-based
checkpoints are matched by variable name (like tf.compat.v1 Saver); object-based
checkpoints with a Keras model or tf.Module by object path (like tf.train.Checkpoint).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ckptlab.checkpoint.load import inspect_checkpoint
from ckptlab.checkpoint.records import FORMAT_OBJECT_BASED, CheckpointIndex, VariableInfo
from ckptlab.scopes import KIND_OTHER, Rename, strip_output_suffix, suggest_renames

__all__ = ["MatchReport", "Mismatch", "VariableSpec", "match_restore"]


@dataclass(frozen=True)
class VariableSpec:
    name: str  # variable name (no ':0') or object path below the root
    shape: tuple[int, ...]  # -1 for an unknown dimension
    dtype: str


@dataclass(frozen=True)
class Mismatch:
    spec: VariableSpec
    stored: VariableInfo

    @property
    def what(self) -> str:
        return "shape" if tuple(self.spec.shape) != self.stored.shape else "dtype"


@dataclass(frozen=True)
class MatchReport:
    checkpoint: str
    by: str  # "name" or "object path"
    root: str  # object-based: the checkpoint child the target was matched under
    matched: tuple[tuple[VariableSpec, VariableInfo], ...]
    missing: tuple[VariableSpec, ...]  # wanted, not in the checkpoint
    unused: tuple[VariableInfo, ...]  # in the checkpoint, wanted by nobody
    mismatched: tuple[Mismatch, ...]
    suggestions: tuple[Rename, ...]  # "did you mean" for missing names

    @property
    def ok(self) -> bool:
        return not (self.missing or self.mismatched)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": "ckptlab.match/1", "checkpoint": self.checkpoint, "by": self.by,
            "root": self.root, "matched": [s.name for s, _ in self.matched],
            "missing": [s.name for s in self.missing],
            "unused": [v.key for v in self.unused],
            "mismatched": [{"name": m.spec.name, "what": m.what, "wanted_shape":
                            list(m.spec.shape), "stored_shape": list(m.stored.shape),
                            "wanted_dtype": m.spec.dtype, "stored_dtype": m.stored.dtype}
                           for m in self.mismatched],
            "suggestions": [{"wanted": r.wanted, "found": r.found, "reason": r.reason,
                             "detail": r.detail} for r in self.suggestions]}


def _spec(item: Any) -> VariableSpec:
    if isinstance(item, VariableSpec):
        return item
    name, shape, dtype = item
    return VariableSpec(strip_output_suffix(str(name)),
                        tuple(-1 if d is None else int(d) for d in shape), str(dtype))


def specs_of(target: Any) -> tuple[list[VariableSpec], bool]:
    """(specs, by_object_path) for any accepted target."""
    if hasattr(target, "_trackable_children") and not hasattr(target, "assign"):
        from ckptlab.checkpoint.reader_tf import object_specs

        return [_spec(s) for s in object_specs(target)], True
    items = list(target)
    if items and hasattr(items[0], "shape") and hasattr(items[0], "dtype"):
        from ckptlab.checkpoint.reader_tf import specs_of_variables

        return [_spec(s) for s in specs_of_variables(items)], False
    return [_spec(s) for s in items], False


def _fits(spec: VariableSpec, stored: VariableInfo) -> bool:
    shape_ok = len(spec.shape) == len(stored.shape) and all(
        w in (-1, s) for w, s in zip(spec.shape, stored.shape, strict=True))
    return shape_ok and spec.dtype.removesuffix("_ref") == stored.dtype


def _lookup(index: CheckpointIndex, by_path: bool, root: str) -> dict[str, VariableInfo]:
    table: dict[str, VariableInfo] = {}
    for variable in index.variables:
        if variable.kind == KIND_OTHER:
            continue
        names = (variable.aliases or (variable.path,)) if by_path else (variable.key,)
        for name in names:
            if not root:
                table.setdefault(name, variable)
            elif name.startswith(root + "/"):
                table.setdefault(name[len(root) + 1:], variable)
    return table


def _pick_root(index: CheckpointIndex, specs: list[VariableSpec]) -> str:
    roots = [""] + [child for path, children in index.objects if path == "" for child in children]
    return max(roots, key=lambda r: sum(s.name in _lookup(index, True, r) for s in specs))


def match_restore(checkpoint: CheckpointIndex | str | os.PathLike, target: Iterable | Any,
                  *, root: str | None = None) -> MatchReport:
    """Report what restoring `checkpoint` into `target` would match, miss and leave unused.

    For object-based checkpoints matched by object path, `root` is the name the target
    was saved under (tf.train.Checkpoint(model=...) -> "model"); by default the child of
    the checkpoint root that matches most variables.
    """
    index = checkpoint if isinstance(checkpoint, CheckpointIndex) else inspect_checkpoint(
        checkpoint)
    specs, by_path = specs_of(target)
    by_path = by_path and index.format == FORMAT_OBJECT_BASED
    if by_path and root is None:
        root = _pick_root(index, specs)
    root = (root or "") if by_path else ""
    table = _lookup(index, by_path, root)
    matched, missing, mismatched, used = [], [], [], set()
    for spec in specs:
        stored = table.get(spec.name)
        if stored is None:
            missing.append(spec)
            continue
        used.add(stored.key)
        (matched.append((spec, stored)) if _fits(spec, stored)
         else mismatched.append(Mismatch(spec, stored)))
    unused = tuple(v for v in index.variables if v.kind != KIND_OTHER and v.key not in used)
    unused_names = [n for n, v in table.items() if v.key not in used]
    suggestions = suggest_renames([s.name for s in missing], unused_names)
    return MatchReport(index.path, "object path" if by_path else "name", root, tuple(matched),
                       tuple(missing), unused, tuple(mismatched), tuple(suggestions))
