"""A name-based checkpoint restored into TF2 objects: tf.train.Checkpoint's name-based fallback.

A checkpoint without an object graph (tf.compat.v1 Saver, Estimator) makes
`tf.train.Checkpoint(model=m).restore(prefix)` return a NameBasedSaverStatus: every variable
reachable from the objects is read from the key TensorFlow's fallback computes for it, never
from its attribute path. A tf.Variable is read from its own name without ':0' (name scopes
included, so two variables both named 'w' read the same key). A Keras 3 variable has no
global name: the fallback asks for the key 'VARIABLE_VALUE', which no Saver writes, so a
Keras 3 model gets nothing, without an error. Variables whose key is absent stay as they are.
"""

from __future__ import annotations

from typing import Any

from ckptlab.checkpoint.targets import BY_NAME_FALLBACK, Target, VariableSpec

__all__ = ["name_fallback_target"]

FALLBACK_NOTE = (
    "The checkpoint is name-based (written by a tf.compat.v1 Saver or an Estimator: no "
    "object graph), so tf.train.Checkpoint(...).restore() falls back to matching by name "
    "and returns a NameBasedSaverStatus: each tf.Variable is read from the key equal to its "
    "own name without ':0' (name scopes included), not from its attribute path. Variables "
    "with no such key are left as they are, without an error.")


def _unnamed_note(unnamed: list[VariableSpec]) -> str:
    return (
        f"{len(unnamed)} variable(s) have no global name the fallback could use (e.g. "
        f"'{unnamed[0].name}', which TensorFlow looks up as '{unnamed[0].key}'; every Keras 3 "
        "variable is read from that same local key, which no Saver writes), so the restore "
        "fills none of them. Fix: copy the values with an explicit name map {checkpoint key: "
        "variable}: reader = tf.train.load_checkpoint(prefix), then "
        "variable.assign(reader.get_tensor(key)) for each pair (tutorials/"
        "09_migrating_to_tf2.ipynb), or tf.compat.v1.train.init_from_checkpoint(prefix, "
        "{key: variable}) in graph mode. Then save with tf.train.Checkpoint to get an "
        "object-based checkpoint.")


def name_fallback_target(root: Any) -> Target:
    """Specs named by the key the fallback reads (or the variable's path when it has none)."""
    from ckptlab.checkpoint.reader_tf import name_fallback_specs

    specs = tuple(VariableSpec(name, shape, dtype, lookup=key)
                  for name, shape, dtype, key in name_fallback_specs(root))
    unnamed = [s for s in specs if s.key != s.name]
    notes = (FALLBACK_NOTE,) + ((_unnamed_note(unnamed),) if unnamed else ())
    return Target(specs, BY_NAME_FALLBACK, notes)
