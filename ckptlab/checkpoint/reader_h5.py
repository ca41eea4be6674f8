"""Index and read Keras 3 `.weights.h5` files (h5py; metadata first, values on demand).

HDF5 metadata is checked before values are read: a dataset must hold numbers, booleans
or fixed-size strings, and its size must fit in the file (Keras stores weights
uncompressed), so a crafted shape cannot make h5py allocate more than the file holds.
"""

from __future__ import annotations

import os
import stat
from contextlib import contextmanager

from ckptlab.checkpoint.bundle import clip, key_text
from ckptlab.checkpoint.records import FORMAT_KERAS_H5, CheckpointIndex, FileInfo, VariableInfo
from ckptlab.errors import CorruptCheckpointError
from ckptlab.scopes import classify

__all__ = ["h5_layer_names", "read_h5_value", "read_weights_h5"]

_READABLE_KINDS = "biufcS"
# what h5py raises for damaged files: HDF5 errors are OSError/RuntimeError subclasses;
# bad datatypes or links surface as the others
_H5_ERRORS = (OSError, RuntimeError, KeyError, ValueError, TypeError)


def _damaged(path: str, problem: str) -> CorruptCheckpointError:
    return CorruptCheckpointError(
        f"The Keras weights file '{path}' is damaged: {problem}.",
        why="The HDF5 file is probably truncated or changed (an interrupted copy or save).",
        fix="Save the weights again with model.save_weights('NAME.weights.h5') or copy the "
            "file again.", received=path)


@contextmanager
def _open(path: str):
    import h5py

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise _damaged(path, "it is not a regular file")
        handle = h5py.File(path, "r")
    except _H5_ERRORS as error:
        raise _damaged(path, f"HDF5 cannot open it ({clip(str(error), 200)})") from error
    try:
        yield handle
    except _H5_ERRORS as error:
        raise _damaged(path, f"HDF5 cannot read it ({clip(str(error), 200)})") from error
    finally:
        handle.close()


def read_weights_h5(path: str, notes: tuple[str, ...] = ()) -> CheckpointIndex:
    """Every dataset of the file as a variable; its HDF5 path is its key."""
    import h5py

    found: list[VariableInfo] = []
    file_size = os.path.getsize(path)

    def visit(name: str, item) -> None:
        if isinstance(item, h5py.Dataset):
            name = key_text(name.encode("utf-8", "surrogateescape"))
            shape = tuple(int(d) for d in item.shape) if item.shape is not None else ()
            nbytes = int(item.size or 0) * item.dtype.itemsize
            dtype = "string" if item.dtype.kind in "SOU" else item.dtype.name
            found.append(VariableInfo(name, shape, dtype, nbytes, classify(name), name,
                                      owner=name.rsplit("/vars/", 1)[0] if "/vars/" in name
                                      else ""))

    with _open(path) as handle:
        handle.visititems(visit)
    found.sort(key=lambda v: v.key)
    return CheckpointIndex(path, FORMAT_KERAS_H5, tuple(found),
                           (FileInfo(os.path.basename(path), file_size),),
                           None, (path,), notes=notes)


def read_h5_value(path: str, key: str):
    """The values of one dataset, after checking its type and size against the file."""
    import h5py

    with _open(path) as handle:
        item = handle.get(key)
        if not isinstance(item, h5py.Dataset):
            raise _damaged(path, f"'{clip(key)}' is no longer a dataset in it")
        if item.dtype.kind not in _READABLE_KINDS:
            raise _damaged(path, f"'{clip(key)}' holds {item.dtype} values, not numbers or "
                                 "strings as Keras saves them")
        nbytes = int(item.size or 0) * item.dtype.itemsize
        if nbytes > os.path.getsize(path):
            raise _damaged(path, f"'{clip(key)}' claims {nbytes:,} bytes of values, more "
                                 f"than the file's {os.path.getsize(path):,}")
        return item[()]


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
                    value.decode("utf-8", "replace") if isinstance(value, bytes)
                    else str(value))
        handle.visititems(visit)
    return names
