"""What a restore would fill: the variables of a target, as plain specs.

A target is a list of (name, shape, dtype), tf.Variables, a Keras model or tf.Module, or
a model_fn built in one mode. TensorFlow, Keras and the mode tracer are reached lazily.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ckptlab.scopes import Rename, strip_output_suffix

__all__ = ["BY_KERAS_H5", "BY_NAME", "BY_NAME_FALLBACK", "BY_OBJECT_PATH", "Target",
           "VariableSpec", "target_of"]

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
