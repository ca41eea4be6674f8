"""TensorFlow's naming rules, in one place.

Covers tensor output suffixes (``dense/kernel:0``), scope splitting, the ``_1`` suffixes
TensorFlow and Keras add to make auto-generated names unique, optimizer slot variables
(TF1 ``var/Adam``, ``var/Adam_1``; object-based ``.OPTIMIZER_SLOT``; Keras 3
``optimizer/_variables/N``), step counters (``global_step``, ``save_counter``) and the
``.ATTRIBUTES/VARIABLE_VALUE`` ending of object-based checkpoint keys.

Pure Python, no TensorFlow: checkpoint readers, the mode tracer, the checker and the
Estimator engine all import from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "ATTRIBUTES_MARKER",
    "KINDS",
    "KIND_OPTIMIZER",
    "KIND_OTHER",
    "KIND_STEP",
    "KIND_WEIGHT",
    "OBJECT_GRAPH_KEY",
    "OPTIMIZER_SLOT_MARKER",
    "VARIABLE_VALUE_SUFFIX",
    "SlotRef",
    "base_name",
    "classify",
    "is_internal_key",
    "is_step_counter",
    "join_scope",
    "layer_of",
    "object_path",
    "parent_scope",
    "slot_of",
    "split_auto_number",
    "split_scope",
    "step_of_prefix",
    "strip_auto_numbers",
    "strip_output_suffix",
]

VARIABLE_VALUE_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"
ATTRIBUTES_MARKER = "/.ATTRIBUTES/"
OPTIMIZER_SLOT_MARKER = "/.OPTIMIZER_SLOT/"
OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"

KIND_WEIGHT = "weight"
KIND_OPTIMIZER = "optimizer"  # slot variables and optimizer state (iterations, beta powers...)
KIND_STEP = "step"  # global_step, save_counter
KIND_OTHER = "other"
KINDS = (KIND_WEIGHT, KIND_OPTIMIZER, KIND_STEP, KIND_OTHER)

_OUTPUT_SUFFIX = re.compile(r":\d+$")
_AUTO_NUMBER = re.compile(r"^(?P<base>.*?)_(?P<number>\d+)$")
# Optimizer names TF1 uses for slots ("var/Adam", "var/Adam_1") and non-slot state.
TF1_OPTIMIZER_NAMES = ("Adam", "Adagrad", "AdagradDA", "Adadelta", "Ftrl", "Momentum",
                       "RMSProp", "ProximalAdagrad", "GradientDescent", "LazyAdam", "AdamW",
                       "Nadam", "Adamax")
_TF1_SLOT = re.compile(r"^(?P<var>.+)/(?P<opt>" + "|".join(TF1_OPTIMIZER_NAMES)
                       + r")(?:_(?P<index>\d+))?$")
_TF1_OPTIMIZER_STATE = re.compile(r"(^|/)(beta1_power|beta2_power)(_\d+)?$")
_STEP_NAMES = ("global_step", "save_counter")


def strip_output_suffix(name: str) -> str:
    """'dense/kernel:0' -> 'dense/kernel' (a tensor name to its variable name)."""
    return _OUTPUT_SUFFIX.sub("", name)


def split_scope(name: str) -> list[str]:
    """'model/dense/kernel:0' -> ['model', 'dense', 'kernel']; empty parts dropped."""
    return [part for part in strip_output_suffix(name).split("/") if part]


def join_scope(parts: list[str] | tuple[str, ...]) -> str:
    return "/".join(parts)


def parent_scope(name: str) -> str:
    """'model/dense/kernel' -> 'model/dense'; '' for a top-level name."""
    return join_scope(split_scope(name)[:-1])


KERAS_H5_VARS = "vars"  # Keras 3 .weights.h5: a layer's own variables are '<layer>/vars/<i>'


def layer_of(name: str) -> str:
    """The layer (or scope) a variable belongs to: 'model/dense/kernel' -> 'model/dense';
    a Keras 3 h5 key 'layers/dense_1/vars/0' -> 'layers/dense_1'."""
    parts = split_scope(name)[:-1]
    if parts and parts[-1] == KERAS_H5_VARS:
        parts = parts[:-1]
    return join_scope(parts)


def base_name(name: str) -> str:
    """The last part of a name: 'model/dense/kernel:0' -> 'kernel'."""
    parts = split_scope(name)
    return parts[-1] if parts else ""


def split_auto_number(part: str) -> tuple[str, int]:
    """'dense_2' -> ('dense', 2); 'dense' -> ('dense', 0). One scope part, not a path.

    TensorFlow and Keras name the first object 'dense', the next 'dense_1' and so on;
    the number depends on creation order, so it can shift between modes and runs.
    """
    match = _AUTO_NUMBER.match(part)
    if match and match["base"]:
        return match["base"], int(match["number"])
    return part, 0


def strip_auto_numbers(name: str) -> str:
    """'model/dense_1/kernel' -> 'model/dense/kernel' (each scope part un-numbered)."""
    return join_scope([split_auto_number(part)[0] for part in split_scope(name)])


def object_path(key: str) -> str:
    """An object-based key to its attribute path; name-based keys come back unchanged.

    'model/dense1/_kernel/.ATTRIBUTES/VARIABLE_VALUE' -> 'model/dense1/_kernel'.
    """
    if ATTRIBUTES_MARKER in key:
        return key.split(ATTRIBUTES_MARKER, 1)[0]
    return key


def is_internal_key(key: str) -> bool:
    """Keys that hold bookkeeping, not a tensor a person saved (the object graph)."""
    return key == OBJECT_GRAPH_KEY


@dataclass(frozen=True)
class SlotRef:
    """An optimizer slot: which variable it belongs to, which optimizer, which slot."""

    variable: str  # the weight the slot belongs to (a name or an object path)
    optimizer: str
    slot: str  # "m", "v", "momentum", or for TF1 the index as text ("0", "1")


def slot_of(key: str) -> SlotRef | None:
    """Describe `key` as an optimizer slot, or None when it is not one.

    Object-based: 'dense/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE'.
    TF1 name-based: 'dense/kernel/Adam' (slot 0), 'dense/kernel/Adam_1' (slot 1).
    Keras 3 keeps slots in 'optimizer/_variables/N': the owner is only known from the
    object graph, so this returns variable='' there.
    """
    if OPTIMIZER_SLOT_MARKER in key:
        variable, rest = key.split(OPTIMIZER_SLOT_MARKER, 1)
        parts = object_path(rest).split("/")
        return SlotRef(variable, parts[0], "/".join(parts[1:]))
    path = object_path(key)
    parts = split_scope(path)
    if len(parts) >= 3 and parts[-2] == "_variables" and parts[-1].isdigit():
        return SlotRef("", join_scope(parts[:-2]), parts[-1])
    match = _TF1_SLOT.match(strip_output_suffix(key))
    if match:
        return SlotRef(match["var"], match["opt"], match["index"] or "0")
    return None


_KERAS3_NOT_SLOT_LISTS = ("_variables", "_trainable_variables", "_trainable_variables_indices")


def keras3_slot_of_path(path: str) -> tuple[str, str] | None:
    """Keras 3 optimizers keep slots in lists parallel to `_trainable_variables`.

    'optimizer/_momentums/2' -> ('optimizer/_trainable_variables/2', 'momentums').
    Returns None for other paths.
    """
    parts = split_scope(path)
    if len(parts) < 3 or not parts[-1].isdigit() or not parts[-2].startswith("_"):
        return None
    if parts[-2] in _KERAS3_NOT_SLOT_LISTS:
        return None
    owner = join_scope([*parts[:-2], "_trainable_variables", parts[-1]])
    return owner, parts[-2].lstrip("_")


def is_step_counter(key: str) -> bool:
    """True for 'global_step' and 'save_counter' (also in object-based form)."""
    return base_name(object_path(key)) in _STEP_NAMES


def _is_optimizer_state(key: str) -> bool:
    path = object_path(key)
    if _TF1_OPTIMIZER_STATE.search(path):
        return True
    parts = split_scope(path)
    # object-based optimizer state: 'optimizer/iter', 'optimizer/_iterations', ...
    return len(parts) >= 2 and parts[0] in ("optimizer", "_optimizer") and len(parts) <= 3


def classify(key: str) -> str:
    """The kind of a checkpoint key: one of KINDS."""
    if is_internal_key(key) or (ATTRIBUTES_MARKER in key and not key.endswith(
            VARIABLE_VALUE_SUFFIX)):
        return KIND_OTHER
    if is_step_counter(key):
        return KIND_STEP
    if slot_of(key) is not None or _is_optimizer_state(key):
        return KIND_OPTIMIZER
    return KIND_WEIGHT


_STEP_SUFFIX = re.compile(r"-(\d+)$")


def step_of_prefix(prefix: str | None) -> int | None:
    """The step a checkpoint prefix carries: '.../model.ckpt-20' -> 20, else None."""
    match = _STEP_SUFFIX.search(str(prefix or ""))
    return int(match[1]) if match else None
