"""The only place the checkpoint layer imports TensorFlow: the live objects given to
`match_restore` (checkpoint files themselves are read without TensorFlow)."""

from __future__ import annotations

from typing import Any

__all__ = ["name_fallback_specs", "object_specs", "specs_of_variables"]


def specs_of_variables(variables: Any) -> list[tuple[str, tuple[int, ...], str]]:
    """(name, shape, dtype) of tf.Variables (graph or eager), names without ':0'."""
    specs = []
    for variable in variables:
        shape = tuple(int(d) if d is not None else -1 for d in variable.shape)
        dtype = getattr(variable.dtype, "base_dtype", variable.dtype)
        specs.append((variable.name, shape, getattr(dtype, "name", str(dtype))))
    return specs


def _reachable_variables(root: Any):
    """(object path, variable) for every variable reachable from `root`, breadth-first,
    following the same children tf.train.Checkpoint saves."""
    import tensorflow as tf

    seen: set[int] = {id(root)}
    queue: list[tuple[str, Any]] = [("", root)]
    while queue:
        path, node = queue.pop(0)
        if isinstance(node, tf.Variable) or (hasattr(node, "assign") and hasattr(node, "shape")):
            yield path, node
            continue
        try:
            children = node._trackable_children(save_type="checkpoint")
        except Exception:
            continue
        for name, child in children.items():
            if id(child) not in seen:
                seen.add(id(child))
                queue.append((f"{path}/{name}" if path else name, child))


def _shape_and_dtype(variable: Any) -> tuple[tuple[int, ...], str]:
    shape = tuple(int(d) if d is not None else -1 for d in variable.shape)
    return shape, getattr(variable.dtype, "name", str(variable.dtype))


def object_specs(root: Any) -> list[tuple[str, tuple[int, ...], str]]:
    """(object path, shape, dtype) of every variable reachable from `root`."""
    return [(path, *_shape_and_dtype(v)) for path, v in _reachable_variables(root)]


def _fallback_key(variable: Any) -> str:
    """The key tf.train.Checkpoint's name-based fallback reads `variable` from: asked of
    TensorFlow's own restore coordinator (a tf.Variable: its name without ':0'; a Keras 3
    variable has no global name and gets the local 'VARIABLE_VALUE')."""
    try:
        from ckptlab.tf_private import tf_checkpoint

        keys = [spec.name for saveable in tf_checkpoint._NameBasedRestoreCoordinator(
            "", {}).globally_named_object_attributes(variable) for spec in saveable.specs]
    except Exception:  # private API moved: the rule measured on TF 2.15 and 2.21
        import tensorflow as tf

        return variable.name.split(":")[0] if isinstance(variable, tf.Variable) else ""
    return keys[0] if len(keys) == 1 else ""


def name_fallback_specs(root: Any) -> list[tuple[str, tuple[int, ...], str, str]]:
    """(name, shape, dtype, lookup key) per variable reachable from `root`, for a restore of
    a name-based checkpoint: the name is the key, or the variable's own path (else object
    path) when the key is not its name (Keras 3 variables)."""
    found = []
    for path, variable in _reachable_variables(root):
        key = _fallback_key(variable)
        own = str(getattr(variable, "name", "")).split(":")[0]
        name = key if key == own else str(getattr(variable, "path", "") or path)
        found.append((name, *_shape_and_dtype(variable), key))
    return found
