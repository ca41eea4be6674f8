"""Watch how learner code calls the checkpoint API, without changing what it does.

While `watching()` is active, tf.train.Checkpoint's save/write/restore/read and Keras's
save_weights/load_weights are wrapped: each call is recorded as a plain dict (api, path,
returned path, the state of the objects attached to the checkpoint) and then delegated
to the original. Everything is put back on exit, also after an exception.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Iterator
from typing import Any

import keras

from ckptlab.tf_private import tf_checkpoint

__all__ = ["Watch", "watching"]

_LOCK = threading.Lock()


def object_state(obj: Any) -> dict[str, Any]:
    """How many variables an attached object has right now, and whether it is built."""
    variables = getattr(obj, "variables", None)
    if callable(variables):
        variables = variables()
    return {"type": type(obj).__name__, "variables": len(list(variables or [])),
            "built": bool(getattr(obj, "built", True))}


class Watch:
    """Records calls; `checkpoints` keeps the Checkpoint objects seen, by id."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.checkpoints: dict[int, Any] = {}
        self.attached: dict[int, dict[str, Any]] = {}  # checkpoint id -> objects attached
        self._depth = threading.local()

    def children(self, ckpt: Any) -> dict[str, dict[str, Any]]:
        attached = self.attached.get(id(ckpt), {})
        return {name: object_state(obj) for name, obj in attached.items()}

    def record(self, api: str, target: Any, path: Any, call) -> Any:
        depth = getattr(self._depth, "value", 0)
        self._depth.value = depth + 1
        entry: dict[str, Any] = {"api": api, "path": None if path is None else str(path)}
        if api in ("Checkpoint.restore", "Checkpoint.read", "Model.load_weights"):
            entry["path_exists"] = path is not None and any(
                os.path.exists(f"{path}{end}") for end in ("", ".index"))
        if api.startswith("Checkpoint."):
            self.checkpoints[id(target)] = target
            entry["checkpoint"] = id(target)
            entry["children"] = self.children(target)
        else:
            entry["model"] = object_state(target)
        try:
            result = call()
        except Exception as error:
            entry["raised"] = type(error).__name__
            raise
        finally:
            self._depth.value = depth
            if depth == 0:
                self.calls.append(entry)
        if isinstance(result, (str, bytes)):
            entry["returned"] = str(result)
        return result


def _wrap(owner: type, name: str, api: str, watch: Watch) -> tuple[type, str, Any]:
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(self, *args, **kwargs):
        path = args[0] if args else next(iter(kwargs.values()), None)
        return watch.record(api, self, path, lambda: original(self, *args, **kwargs))

    setattr(owner, name, wrapper)
    return owner, name, original


@contextlib.contextmanager
def watching() -> Iterator[Watch]:
    watch = Watch()
    checkpoint_class = tf_checkpoint.Checkpoint
    original_init = checkpoint_class.__init__

    @functools.wraps(original_init)
    def init(self, root=None, **kwargs):
        original_init(self, root=root, **kwargs)
        attached = dict(kwargs)
        if root is not None:
            attached["(root)"] = root
        # kept here, not on the Checkpoint: an attribute would become a checkpoint dependency
        watch.attached[id(self)] = attached
        watch.checkpoints[id(self)] = self

    with _LOCK:
        patches = [_wrap(checkpoint_class, method, f"Checkpoint.{method}", watch)
                   for method in ("save", "write", "restore", "read")]
        patches += [_wrap(keras.Model, method, f"Model.{method}", watch)
                    for method in ("save_weights", "load_weights", "save")]
        checkpoint_class.__init__ = init
    try:
        yield watch
    finally:
        with _LOCK:
            checkpoint_class.__init__ = original_init
            for owner, name, original in patches:
                setattr(owner, name, original)
