"""Dry-run restore: what would a restore into these variables do, without touching them.

`match_restore(checkpoint, target)` accepts a plain list of (name, shape, dtype) specs,
tf.Variables, a Keras model / tf.Module, or a prepared `Target` (the public
`ckptlab.match_restore(checkpoint, model_fn=..., mode="eval")` builds one with the mode
tracer, see ckptlab.trace.restore_target). Name-based checkpoints are
matched by variable name (like tf.compat.v1 Saver; a Keras model or tf.Module by the key
tf.train.Checkpoint's name-based fallback reads, see name_fallback.py); object-based
checkpoints with a Keras model or tf.Module by object path (like tf.train.Checkpoint);
Keras 3 `.weights.h5` files with a Keras model by the layout Keras 3 writes (like
`model.load_weights`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ckptlab.checkpoint.load import inspect_checkpoint
from ckptlab.checkpoint.records import CheckpointIndex, VariableInfo
from ckptlab.checkpoint.targets import (
    BY_KERAS_H5,
    BY_NAME,
    BY_OBJECT_PATH,
    Target,
    VariableSpec,
    as_spec,
)
from ckptlab.errors import UsageError
from ckptlab.scopes import (
    KIND_OTHER,
    Rename,
    rename_reason,
    suggest_layer_renames,
    suggest_renames,
)

__all__ = ["MatchReport", "Mismatch", "VariableSpec", "match_restore"]


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
    by: str  # targets.BY_*: "name", "object path", "Keras 3 h5 layout", name-based fallback
    root: str  # object-based: the checkpoint child the target was matched under
    matched: tuple[tuple[VariableSpec, VariableInfo], ...]
    missing: tuple[VariableSpec, ...]  # wanted, not in the checkpoint
    unused: tuple[VariableInfo, ...]  # in the checkpoint, wanted by nobody
    mismatched: tuple[Mismatch, ...]
    suggestions: tuple[Rename, ...]  # "did you mean" for missing or mismatched names
    notes: tuple[str, ...] = ()  # how the target was read, format rules that applied

    @property
    def ok(self) -> bool:
        """True when every wanted variable would be restored from the right variable."""
        return not (self.missing or self.mismatched or self.suggestions)

    def __str__(self) -> str:
        from ckptlab.render.checkpoint import match_text

        return match_text(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": "ckptlab.match/1", "checkpoint": self.checkpoint, "by": self.by,
            "root": self.root, "ok": self.ok, "matched": [s.name for s, _ in self.matched],
            "missing": [s.name for s in self.missing],
            "unused": [v.key for v in self.unused],
            "mismatched": [{"name": m.spec.name, "what": m.what, "wanted_shape":
                            list(m.spec.shape), "stored_shape": list(m.stored.shape),
                            "wanted_dtype": m.spec.dtype, "stored_dtype": m.stored.dtype}
                           for m in self.mismatched],
            "suggestions": [{"wanted": r.wanted, "found": r.found, "reason": r.reason,
                             "detail": r.detail} for r in self.suggestions],
            "notes": list(self.notes)}


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


def _pick_root(index: CheckpointIndex, specs: tuple[VariableSpec, ...]) -> str:
    roots = [""] + [child for path, children in index.objects if path == "" for child in children]
    names = [s.name for s in specs]

    def found(root: str) -> int:
        table = _lookup(index, True, root)  # once per root, not once per variable
        return sum(name in table for name in names)

    return max(roots, key=found)


def _swap_suggestions(mismatched: list[Mismatch], table: dict[str, VariableInfo],
                      taken: set[str]) -> list[Rename]:
    """For a shape mismatch: the one related name (e.g. shifted auto-number) that fits."""
    found = []
    for mismatch in mismatched:
        options = [r for name, stored in table.items() if name not in taken
                   and _fits(mismatch.spec, stored)
                   and (r := rename_reason(mismatch.spec.name, name))]
        if len(options) == 1:
            taken.add(options[0].found)
            found.append(options[0])
    return found


def _is_keras_model(target: Any) -> bool:
    return hasattr(target, "save_weights") and hasattr(target, "layers")


def target_of(target: Any, checkpoint_format: str) -> Target:
    """The specs of `target` and how to match them against a checkpoint of that format."""
    from ckptlab.checkpoint.records import (
        FORMAT_KERAS_H5,
        FORMAT_NAME_BASED,
        FORMAT_OBJECT_BASED,
    )

    if checkpoint_format == FORMAT_KERAS_H5 and _is_keras_model(target):
        from ckptlab.checkpoint.keras_layout import keras_h5_target

        return keras_h5_target(target)
    if hasattr(target, "_trackable_children") and not hasattr(target, "assign"):
        if checkpoint_format == FORMAT_NAME_BASED:
            from ckptlab.checkpoint.name_fallback import name_fallback_target

            return name_fallback_target(target)
        from ckptlab.checkpoint.reader_tf import object_specs

        by = BY_OBJECT_PATH if checkpoint_format == FORMAT_OBJECT_BASED else BY_NAME
        return Target(tuple(as_spec(s) for s in object_specs(target)), by)
    items = list(target)
    if items and hasattr(items[0], "shape") and hasattr(items[0], "dtype"):
        from ckptlab.checkpoint.reader_tf import specs_of_variables

        items = specs_of_variables(items)
    return Target(tuple(as_spec(s) for s in items), BY_NAME)


def _target(index: CheckpointIndex, target: Any) -> Target:
    if isinstance(target, Target):
        return target
    if target is None:
        raise UsageError("match_restore needs something to restore into.",
                         fix="Pass variables, a Keras model or tf.Module, a list of "
                             "(name, shape, dtype), or model_fn=... with mode=...")
    return target_of(target, index.format)


def match_restore(checkpoint: CheckpointIndex | str | os.PathLike,
                  target: Iterable | Any = None, *, root: str | None = None) -> MatchReport:
    """Report what restoring `checkpoint` into `target` would match, miss and leave unused.

    For object-based checkpoints matched by object path, `root` is the name the target
    was saved under (tf.train.Checkpoint(model=...) -> "model"); by default the child of
    the checkpoint root that matches most variables.
    """
    index = checkpoint if isinstance(checkpoint, CheckpointIndex) else inspect_checkpoint(
        checkpoint)
    target_ = _target(index, target)
    specs, by_path = target_.specs, target_.by == BY_OBJECT_PATH
    if by_path and root is None:
        root = _pick_root(index, specs)
    root = (root or "") if by_path else ""
    skipped, notes = set(), target_.notes
    if target_.by == BY_KERAS_H5:
        from ckptlab.checkpoint.keras_layout import optimizer_rule

        skipped, rule_notes = optimizer_rule(specs, index)
        notes += rule_notes
    table = _lookup(index, by_path, root)
    matched, missing, mismatched, used = [], [], [], set()
    for spec in specs:
        stored = table.get(spec.key)
        if stored is None or spec.name in skipped:
            missing.append(spec)
            continue
        used.add(stored.key)
        (matched.append((spec, stored)) if _fits(spec, stored)
         else mismatched.append(Mismatch(spec, stored)))
    unused = tuple(v for v in index.variables if v.kind != KIND_OTHER and v.key not in used)
    unused_table = {n: v for n, v in table.items() if v.key not in used}
    renamable = [s for s in missing if s.name not in skipped and s.key == s.name]
    suggestions = suggest_renames([s.name for s in renamable], unused_table)
    taken = {r.found for r in suggestions}
    pending = [s for s in renamable if s.name not in {r.wanted for r in suggestions}]
    suggestions += suggest_layer_renames(
        [(s.name, s.shape) for s in pending],
        [(n, v.shape) for n, v in unused_table.items() if n not in taken])
    suggestions += _swap_suggestions(mismatched, table, taken)
    suggestions += [r for r in target_.renames if r.wanted != r.found]
    unique = tuple({(r.wanted, r.found): r for r in suggestions}.values())
    return MatchReport(index.path, target_.by, root, tuple(matched), tuple(missing), unused,
                       tuple(mismatched), unique, notes)
