"""Rows of the ModeExplorer's columns, and the restore plan of EVAL/PREDICT against TRAIN.

Pure Python over a `ModeReport` (ckptlab.trace.mode_records). The TRAIN checkpoint holds
TRAIN's saved variables plus what the Estimator creates (global_step); an Estimator's
Saver restores by variable name, so each EVAL/PREDICT variable is:
matched (same name, same shape), missing (name not in the checkpoint: restoring fails),
mismatch (same name, other shape) or swapped (same name and shape, but TRAIN made that
name with another line of code: auto-numbered names shifted, values silently swapped).
Checkpoint values no variable asks for are "unused".
"""

from __future__ import annotations

from dataclasses import dataclass

from ckptlab.widgets.style import MODE_LOOK

__all__ = ["VariableRow", "mode_rows", "shape_text"]


@dataclass(frozen=True)
class VariableRow:
    name: str
    shape: str
    dtype: str
    origin: str  # "file.py:line" that created it ('' when unknown)
    order: int  # creation index in the mode's graph (-1: only in the checkpoint)
    flags: tuple[str, ...] = ()  # short notes: "only in TRAIN", "named dense in EVAL"...
    state: str = ""  # restore plan state (a style.STATE_LOOK key), '' when not planned
    detail: str = ""  # one sentence explaining the state


def shape_text(shape) -> str:
    if shape is None:
        return "unknown"
    return "[" + ", ".join("None" if d is None else str(d) for d in shape) + "]"


def _mode_names(report, modes) -> str:
    return ", ".join(MODE_LOOK.get(m, ("", m))[1] for m in modes)


def _flags(report, mode: str, variable) -> tuple[str, ...]:
    comparison, flags = report.comparison, []
    if variable.local:
        flags.append("local, not saved")
    if variable.name in comparison.only_in_some:
        flags.append(f"only in {_mode_names(report, comparison.only_in_some[variable.name])}")
    for shift in comparison.shifted:
        if mode == "train" and variable.name.startswith(shift.train_name + "/"):
            flags.append(f"is {shift.name}/… in {_mode_names(report, [shift.mode])}")
        if shift.mode == mode and variable.name.startswith(shift.name + "/"):
            flags.append(f"name shifted: {shift.train_name}/… in TRAIN")
    return tuple(flags)


def _plan(report, mode: str, variable, train_shapes: dict) -> tuple[str, str]:
    if variable.name not in train_shapes:
        return "missing", (f"'{variable.name}' is not in the TRAIN checkpoint: restoring "
                           "fails with 'Key ... not found in checkpoint'.")
    stored = train_shapes[variable.name]
    if stored is not None and variable.shape is not None and \
            tuple(stored) != tuple(variable.shape):
        return "mismatch", (f"the checkpoint holds {shape_text(stored)}, this mode wants "
                            f"{shape_text(variable.shape)}.")
    for shift in report.comparison.shifted:
        if shift.mode == mode and variable.name.startswith(shift.name + "/"):
            return "swapped", (f"restored from '{variable.name}', which TRAIN made with "
                               f"another line of code; this line made '{shift.train_name}' "
                               "in TRAIN. No error: wrong weights.")
    return "matched", f"restored from the checkpoint key '{variable.name}'."


def mode_rows(report, mode: str, plan: bool = False) -> list[VariableRow]:
    """The variables of `mode` in creation order; with `plan`, each with its restore
    state against the TRAIN checkpoint, then the checkpoint's unused values."""
    trace = report.mode(mode)
    plan = plan and mode != "train"
    train = report.mode("train")
    train_shapes = {v.name: v.shape for v in train.variables if not v.local}
    train_shapes.update({n: None for n in report.created_by_estimator if n not in train_shapes})
    rows = []
    for v in trace.variables:
        state, detail = _plan(report, mode, v, train_shapes) if plan and not v.local \
            else ("", "")
        rows.append(VariableRow(v.name, shape_text(v.shape), v.dtype, v.origin, v.order,
                                _flags(report, mode, v), state, detail))
    if plan and trace.error is None:
        wanted = {v.name for v in trace.variables}
        rows += [VariableRow(name, shape_text(shape), "", "", -1, (), "unused",
                             f"in the TRAIN checkpoint; {_mode_names(report, [mode])} "
                             "does not ask for it (harmless).")
                 for name, shape in train_shapes.items() if name not in wanted]
    return rows
