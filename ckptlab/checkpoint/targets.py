"""What a restore would fill: the variables of a target, as plain specs.

Plain records only: `match.py` turns a target (a list of (name, shape, dtype),
tf.Variables, a Keras model or tf.Module) into a `Target`; `ckptlab.trace.restore_target`
builds one from a model_fn in one mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ckptlab.scopes import Rename, strip_output_suffix

__all__ = ["BY_KERAS_H5", "BY_NAME", "BY_NAME_FALLBACK", "BY_OBJECT_PATH", "Target",
           "VariableSpec", "as_spec"]

BY_NAME = "name"
BY_NAME_FALLBACK = "variable name, via tf.train.Checkpoint's name-based fallback"
BY_OBJECT_PATH = "object path"
BY_KERAS_H5 = "Keras 3 h5 layout"


@dataclass(frozen=True)
class VariableSpec:
    name: str  # variable name (no ':0'), object path below the root, or h5 key
    shape: tuple[int, ...]  # -1 for an unknown dimension
    dtype: str
    label: str = ""  # how the model calls it when `name` is a file path (Keras 3 h5)
    lookup: str | None = None  # the key a restore reads it from, when not `name` ('' = none)

    @property
    def key(self) -> str:
        """The checkpoint key a restore would read this variable from ('' if none)."""
        return self.name if self.lookup is None else self.lookup


@dataclass(frozen=True)
class Target:
    specs: tuple[VariableSpec, ...]
    by: str  # BY_NAME, BY_OBJECT_PATH or BY_KERAS_H5
    notes: tuple[str, ...] = ()
    renames: tuple[Rename, ...] = ()  # known before matching (e.g. names shifted by mode)


def as_spec(item: Any) -> VariableSpec:
    if isinstance(item, VariableSpec):
        return item
    name, shape, dtype = item
    return VariableSpec(strip_output_suffix(str(name)),
                        tuple(-1 if d is None else int(d) for d in shape), str(dtype))
