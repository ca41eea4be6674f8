"""What the mode tracer found, as plain frozen dataclasses, and the comparison of modes.

Pure Python (no TensorFlow): `ckptlab.trace.modes` fills these records, `compare_modes`
derives the findings, `ckptlab.render.modes` turns them into text and HTML.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from ckptlab.mode_names import TRAIN
from ckptlab.scopes import (
    base_name,
    parent_scope,
    rename_reason,
    split_auto_number,
    strip_auto_numbers,
)

__all__ = ["ModeComparison", "ModeError", "ModeReport", "ModeTrace", "NameShift",
           "PlannedRestore", "ShapeDifference", "TracedVariable", "compare_modes"]



@dataclass(frozen=True)
class TracedVariable:
    name: str
    scope: str  # the variable scope active when it was created
    shape: tuple[int | None, ...] | None
    dtype: str
    trainable: bool
    local: bool  # metric/local variables are never saved in a checkpoint
    origin: str  # "file.py:line" in the learner's code that created it ('' if unknown)
    order: int  # creation index within the mode's graph


@dataclass(frozen=True)
class ModeError:
    type: str
    message: str
    origin: str = ""


@dataclass(frozen=True)
class ModeTrace:
    mode: str
    variables: tuple[TracedVariable, ...]
    op_counts: dict[str, int]
    collections: dict[str, int]
    spec: dict[str, str]  # EstimatorSpec field -> short description of its value
    error: ModeError | None = None

    @property
    def saved_names(self) -> list[str]:
        return [v.name for v in self.variables if not v.local]


@dataclass(frozen=True)
class NameShift:
    origin: str  # the line of code that created the layer (in TRAIN)
    train_name: str  # the layer's scope in TRAIN ('dense_1'), or the variable's name
    mode: str
    name: str  # its name in `mode`
    detail: str
    other_origin: str = ""  # set when another line of code made the same name in `mode`


@dataclass(frozen=True)
class ShapeDifference:
    name: str
    shapes: dict[str, tuple[int | None, ...] | None]  # mode -> shape


@dataclass(frozen=True)
class ModeComparison:
    only_in_some: dict[str, tuple[str, ...]]  # variable -> the modes that create it
    shifted: tuple[NameShift, ...]
    shape_differences: tuple[ShapeDifference, ...]
    missing_from_train_checkpoint: dict[str, tuple[str, ...]]  # mode -> names
    failed_modes: tuple[str, ...]

    @property
    def clean(self) -> bool:
        """No problem: variables only TRAIN makes (optimizer slots) are harmless extras in
        its checkpoint; a variable TRAIN lacks is in missing_from_train_checkpoint."""
        return not (self.shifted or self.shape_differences
                    or self.missing_from_train_checkpoint or self.failed_modes)


@dataclass(frozen=True)
class PlannedRestore:
    """What restoring the TRAIN checkpoint does to one variable of another mode."""

    name: str
    state: str  # matched, missing, mismatch, swapped (wrong weights, no error), unused
    wanted: tuple[int | None, ...] | None = None  # the shape this mode builds
    stored: tuple[int | None, ...] | None = None  # the shape TRAIN saved
    train_name: str = ""  # swapped: the layer this line of code made in TRAIN


@dataclass(frozen=True)
class ModeReport:
    modes: tuple[ModeTrace, ...]
    comparison: ModeComparison
    created_by_estimator: tuple[str, ...] = ("global_step",)

    def mode(self, name: str) -> ModeTrace:
        return next(trace for trace in self.modes if trace.mode == name)

    def train_checkpoint(self) -> dict[str, tuple[int | None, ...] | None]:
        """name -> shape of what a TRAIN checkpoint holds (the Estimator's own variables,
        e.g. global_step, with an unknown shape)."""
        shapes = {v.name: v.shape for v in self.mode(TRAIN).variables if not v.local}
        return {**shapes, **{n: None for n in self.created_by_estimator if n not in shapes}}

    def restore_plan(self, mode: str) -> tuple[PlannedRestore, ...]:
        """THE restore plan of `mode` against the TRAIN checkpoint (an Estimator's Saver
        restores by name): each saved variable of `mode` in creation order, then the
        checkpoint values nobody asks for ("unused")."""
        stored = self.train_checkpoint()
        plan = []
        for variable in self.mode(mode).variables:
            if variable.local:
                continue
            shape = stored.get(variable.name)
            shift = next((s for s in self.comparison.shifted if s.mode == mode
                          and variable.name.startswith(s.name + "/")), None)
            if variable.name not in stored:
                state = "missing"
            elif shape is not None and variable.shape is not None and \
                    tuple(shape) != tuple(variable.shape):
                state = "mismatch"
            else:
                state = "swapped" if shift else "matched"
            plan.append(PlannedRestore(variable.name, state, variable.shape, shape,
                                       shift.train_name if shift else ""))
        wanted = {v.name for v in self.mode(mode).variables}
        plan += [PlannedRestore(name, "unused", None, shape)
                 for name, shape in stored.items() if name not in wanted]
        return tuple(plan)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    def _repr_html_(self) -> str:
        from ckptlab.render.modes import mode_report_html

        return mode_report_html(self)

    def __str__(self) -> str:
        from ckptlab.render.modes import mode_report_text

        return mode_report_text(self)


def _shifts(train: ModeTrace, other: ModeTrace) -> list[NameShift]:
    """Variables made by the same line of code (same occurrence) but named differently."""
    def by_origin(trace: ModeTrace) -> dict[tuple[str, str, int], str]:
        seen: dict[tuple[str, str], int] = {}
        keys = {}
        for variable in trace.variables:
            if variable.local or not variable.origin:
                continue
            base = variable.name.rsplit("/", 1)[-1]
            count = seen.get((variable.origin, base), 0)
            seen[(variable.origin, base)] = count + 1
            keys[(variable.origin, base, count)] = variable.name
        return keys

    train_keys, other_keys = by_origin(train), by_origin(other)
    shifts, layers = [], set()
    for key, train_name in train_keys.items():
        name = other_keys.get(key)
        if name is None or name == train_name:
            continue
        pair = (parent_scope(train_name) or train_name, parent_scope(name) or name)
        if pair not in layers:  # one finding per layer, not per kernel and bias
            layers.add(pair)
            reason = rename_reason(train_name, name)
            detail = reason.detail if reason else "the same line of code made another name"
            shifts.append(NameShift(key[0], pair[0], other.mode, pair[1], detail))
    explained = {shift.name for shift in shifts}
    return shifts + [shift for shift in _same_name_other_line(train, other)
                     if shift.name not in explained]


def _same_name_other_line(train: ModeTrace, other: ModeTrace) -> list[NameShift]:
    """Auto-numbered layers ('dense', 'dense_1') whose name comes from another line of code
    in `other`: when the branches build layers in another order, the names swap roles."""
    origin_in_train = {v.name: v.origin for v in train.variables if not v.local}
    numbered = {strip_auto_numbers(parent_scope(n)) for n in origin_in_train
                if split_auto_number(base_name(parent_scope(n)))[1] > 0}
    found, seen_layers = [], set()
    for variable in other.variables:
        layer = parent_scope(variable.name)
        train_origin = origin_in_train.get(variable.name)
        if (variable.local or not train_origin or not variable.origin or layer in seen_layers
                or variable.origin == train_origin or strip_auto_numbers(layer) not in numbered):
            continue
        seen_layers.add(layer)
        found.append(NameShift(train_origin, layer, other.mode, layer,
                               f"the auto-generated layer name '{layer}' comes from another "
                               "line of code", variable.origin))
    return found


def compare_modes(traces: tuple[ModeTrace, ...],
                  created_by_estimator: tuple[str, ...] = ("global_step",)) -> ModeComparison:
    built = [t for t in traces if t.error is None]  # a failed mode's list is incomplete
    failed = tuple(t.mode for t in traces if t.error is not None)
    names_by_mode = {t.mode: set(t.saved_names) for t in built}
    every = sorted({n for names in names_by_mode.values() for n in names})
    only_in_some = {}
    for name in every:
        having = tuple(t.mode for t in built if name in names_by_mode[t.mode])
        if len(having) < len(built):
            only_in_some[name] = having
    shapes: dict[str, dict[str, Any]] = {}
    for trace in traces:
        for variable in trace.variables:
            shapes.setdefault(variable.name, {})[trace.mode] = variable.shape
    differences = tuple(ShapeDifference(name, by_mode) for name, by_mode in sorted(shapes.items())
                        if len({str(shape) for shape in by_mode.values()}) > 1)
    train = next((t for t in traces if t.mode == TRAIN), None)
    shifted: list[NameShift] = []
    missing: dict[str, tuple[str, ...]] = {}
    if train is not None and train.error is None:
        in_checkpoint = set(train.saved_names) | set(created_by_estimator)
        for other in traces:
            if other.mode == TRAIN:
                continue
            shifted.extend(_shifts(train, other))
            absent = tuple(n for n in other.saved_names if n not in in_checkpoint)
            if absent:
                missing[other.mode] = absent
    return ModeComparison(only_in_some, tuple(shifted), differences, missing, failed)
