"""The only place the checkpoint layer imports TensorFlow: values ckptlab cannot decode itself
(partitioned variables, bfloat16, strings), and live objects given to `match_restore`."""

from __future__ import annotations

from typing import Any

from ckptlab.errors import CorruptCheckpointError

__all__ = ["read_tensor_with_tf", "specs_of_variables"]


def read_tensor_with_tf(prefix: str, key: str):
    import numpy as np
    import tensorflow as tf

    try:
        value = tf.train.load_checkpoint(prefix).get_tensor(key)
    except Exception as error:  # TF raises DataLossError, NotFoundError, ...
        raise CorruptCheckpointError(
            f"TensorFlow could not read '{key}' from '{prefix}' ({type(error).__name__}).",
            fix="Use another checkpoint of the run or copy the files again.",
            received=key) from error
    return np.asarray(value)


def specs_of_variables(variables: Any) -> list[tuple[str, tuple[int, ...], str]]:
    """(name, shape, dtype) of tf.Variables (graph or eager), names without ':0'."""
    specs = []
    for variable in variables:
        shape = tuple(int(d) if d is not None else -1 for d in variable.shape)
        dtype = getattr(variable.dtype, "base_dtype", variable.dtype)
        specs.append((variable.name, shape, getattr(dtype, "name", str(dtype))))
    return specs


def object_specs(root: Any) -> list[tuple[str, tuple[int, ...], str]]:
    """(object path, shape, dtype) of every variable reachable from `root`, breadth-first,
    following the same children tf.train.Checkpoint saves."""
    import tensorflow as tf

    seen: set[int] = {id(root)}
    queue: list[tuple[str, Any]] = [("", root)]
    found = []
    while queue:
        path, node = queue.pop(0)
        if isinstance(node, tf.Variable) or (hasattr(node, "assign") and hasattr(node, "shape")):
            shape = tuple(int(d) if d is not None else -1 for d in node.shape)
            dtype = getattr(node.dtype, "name", str(node.dtype))
            found.append((path, shape, dtype))
            continue
        try:
            children = node._trackable_children(save_type="checkpoint")
        except Exception:
            continue
        for name, child in children.items():
            if id(child) not in seen:
                seen.add(id(child))
                queue.append((f"{path}/{name}" if path else name, child))
    return found
