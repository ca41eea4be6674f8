"""Index and read Keras 3 `.weights.h5` files (h5py; metadata first, values on demand)."""

from __future__ import annotations

import os

from ckptlab.checkpoint.records import FORMAT_KERAS_H5, CheckpointIndex, FileInfo, VariableInfo
from ckptlab.errors import CorruptCheckpointError
from ckptlab.scopes import classify

__all__ = ["h5_layer_names", "read_h5_value", "read_weights_h5"]


def _open(path: str):
    import h5py

    try:
        return h5py.File(path, "r")
    except OSError as error:
        raise CorruptCheckpointError(
            f"The Keras weights file '{path}' cannot be opened ({error}).",
            why="The HDF5 file is probably truncated or damaged.",
            fix="Save the weights again with model.save_weights('NAME.weights.h5').",
            received=path) from error


def read_weights_h5(path: str, notes: tuple[str, ...] = ()) -> CheckpointIndex:
    """Every dataset of the file as a variable; its HDF5 path is its key."""
    import h5py

    found: list[VariableInfo] = []

    def visit(name: str, item) -> None:
        if isinstance(item, h5py.Dataset):
            nbytes = int(item.size) * item.dtype.itemsize
            dtype = "string" if item.dtype.kind in "SOU" else item.dtype.name
            found.append(VariableInfo(name, tuple(int(d) for d in item.shape), dtype, nbytes,
                                      classify(name), name,
                                      owner=name.rsplit("/vars/", 1)[0] if "/vars/" in name
                                      else ""))

    with _open(path) as handle:
        try:
            handle.visititems(visit)
        except (OSError, RuntimeError, KeyError) as error:
            raise CorruptCheckpointError(
                f"The Keras weights file '{path}' is damaged ({error}).",
                fix="Save the weights again.", received=path) from error
    found.sort(key=lambda v: v.key)
    return CheckpointIndex(path, FORMAT_KERAS_H5, tuple(found),
                           (FileInfo(os.path.basename(path), os.path.getsize(path)),),
                           None, (path,), notes=notes)


def read_h5_value(path: str, key: str):
    with _open(path) as handle:
        return handle[key][()]


def h5_layer_names(path: str) -> dict[str, str]:
    """Layer path in the file -> the layer's name when saved ('layers/dense' -> 'hidden').

    Keras 3 stores it as the `name` attribute of each '<layer>/vars' group.
    """
    names: dict[str, str] = {}
    with _open(path) as handle:
        def visit(name: str, item) -> None:
            if name.rsplit("/", 1)[-1] == "vars" and "name" in item.attrs:
                value = item.attrs["name"]
                names[name[: -len("/vars")] if "/" in name else ""] = (
                    value.decode() if isinstance(value, bytes) else str(value))
        handle.visititems(visit)
    return names
