"""The variables an Estimator would restore in one mode: a model_fn built by the tracer.

Like the Estimator, the model_fn is built in a fresh graph for the mode, next to a
global_step (which every Estimator graph holds and restores). Outside TRAIN, TRAIN is
built too, so layers that the same line of code names differently in the two modes
(auto-numbered names built in another order) are reported even when the shapes agree
and a restore would silently swap their weights.

`match_restore` here is the public `ckptlab.match_restore`: the checkpoint layer's dry run
(ckptlab.checkpoint.match) plus `model_fn=..., mode=...`, which needs the tracer.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from ckptlab.checkpoint import match
from ckptlab.checkpoint.records import CheckpointIndex
from ckptlab.checkpoint.targets import BY_NAME, Target, VariableSpec
from ckptlab.errors import UsageError
from ckptlab.mode_names import TRAIN, mode_of
from ckptlab.scopes import RENAME_AUTO_NUMBER, Rename, parent_scope

__all__ = ["match_restore", "model_fn_target"]


def _mode(mode: Any) -> str:
    name = mode_of(mode)
    if name is None:
        raise UsageError(f"Unknown mode {mode!r} for the dry-run restore.",
                         fix="Use ModeKeys.TRAIN, ModeKeys.EVAL or ModeKeys.PREDICT "
                             "('train', 'eval' or 'infer').", received=mode)
    return name


def _renames(shifts, variables) -> tuple[Rename, ...]:
    """A tracer NameShift per layer -> one Rename per variable of that layer."""
    renames = []
    for shift in shifts:
        for variable in variables:
            if parent_scope(variable.name) == shift.name and not variable.local:
                found = shift.train_name + variable.name[len(shift.name):]
                renames.append(Rename(variable.name, found, RENAME_AUTO_NUMBER,
                                      f"{shift.detail}; in TRAIN (which wrote the checkpoint) "
                                      f"this layer was '{shift.train_name}'"))
    return tuple(renames)


def model_fn_target(model_fn: Callable, mode: Any, params: Any = None, features: Any = None,
                    labels: Any = None) -> Target:
    from ckptlab.trace.mode_records import compare_modes
    from ckptlab.trace.modes import trace_mode

    mode = _mode(mode)
    trace = trace_mode(model_fn, mode, params, features, labels)
    if trace.error is not None:
        where = f" at {trace.error.origin}" if trace.error.origin else ""
        raise UsageError(
            f"model_fn could not be built in mode '{mode}' ({trace.error.type}{where}): "
            f"{trace.error.message}",
            why="The dry-run restore needs the variables model_fn creates in that mode.",
            fix="Fix the error in model_fn (`ckptlab trace FILE.py` shows every mode).",
            received=mode)
    specs = [VariableSpec("global_step", (), "int64")]
    specs += [VariableSpec(v.name, tuple(-1 if d is None else d for d in (v.shape or ())),
                           v.dtype) for v in trace.variables if not v.local]
    notes = [f"model_fn was built in mode '{mode}' in a fresh graph, as the Estimator does "
             "before each restore; global_step is included because the Estimator creates it."]
    renames: tuple[Rename, ...] = ()
    if mode != TRAIN:
        train = trace_mode(model_fn, TRAIN, params, features, labels)
        shifts = [s for s in compare_modes((train, trace)).shifted if s.mode == mode]
        renames = _renames([s for s in shifts if s.name != s.train_name], trace.variables)
        notes += [f"'{s.name}' is built by {s.other_origin} in {mode} but by {s.origin} in "
                  "train: if these lines make different layers, the restore swaps their "
                  "weights without an error." for s in shifts
                  if s.name == s.train_name and s.other_origin]
    return Target(tuple(specs), BY_NAME, tuple(notes), renames)


def match_restore(checkpoint: CheckpointIndex | str | os.PathLike,
                  target: Iterable | Any = None, *, root: str | None = None,
                  model_fn: Callable | None = None, mode: Any = "eval", params: Any = None,
                  features: Any = None, labels: Any = None) -> match.MatchReport:
    """Report what restoring `checkpoint` into `target` would match, miss and leave unused.

    `target`/`root`: see ckptlab.checkpoint.match_restore. With `model_fn`, the model_fn
    is built in `mode` (and `params`, optional `features`/`labels` like `trace_modes`).
    """
    if model_fn is not None:
        if target is not None:
            raise UsageError("Give either a target or a model_fn, not both.",
                             fix="match_restore(checkpoint, model_fn=model_fn, mode='eval')",
                             received=type(target).__name__)
        target = model_fn_target(model_fn, mode, params, features, labels)
    return match.match_restore(checkpoint, target, root=root)
