"""Read one variable's values on demand (numpy from the data shard; TensorFlow as fallback)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ckptlab.checkpoint.bundle import DTYPES, BundleEntry, data_file_name, decode_index
from ckptlab.checkpoint.locate import read_bytes
from ckptlab.checkpoint.records import FORMAT_KERAS_H5, CheckpointIndex
from ckptlab.errors import CorruptCheckpointError, UsageError

__all__ = ["read_value"]

_NUMPY_DTYPES = {name for name, size in DTYPES.values() if size} - {
    "bfloat16", "qint8", "quint8", "qint32", "qint16", "quint16"}


@lru_cache(maxsize=8)
def _entries(prefix: str) -> dict[str, BundleEntry]:
    _, entries = decode_index(read_bytes(prefix + ".index", "checkpoint index"))
    return {entry.key: entry for entry in entries}


def read_value(index: CheckpointIndex, key: str) -> np.ndarray:
    """The values of one variable (by key or path) as a numpy array; nothing else is read."""
    try:
        info = index.variable(key)
    except KeyError as error:
        raise UsageError(f"The checkpoint has no variable {key!r}.",
                         fix="Use a key from `ckptlab inspect PATH` (or index.keys).",
                         received=key) from error
    if index.format == FORMAT_KERAS_H5:
        from ckptlab.checkpoint.reader_h5 import read_h5_value

        return np.asarray(read_h5_value(index.path, info.key))
    entry = _entries(index.path)[info.key]
    if entry.sliced or entry.dtype not in _NUMPY_DTYPES:
        from ckptlab.checkpoint.reader_tf import read_tensor_with_tf

        return read_tensor_with_tf(index.path, info.key)
    num_shards = len([f for f in index.files if ".data-" in f.name])
    with open(data_file_name(index.path, entry.shard, num_shards), "rb") as handle:
        handle.seek(entry.offset)
        raw = handle.read(entry.size)
    dtype = np.dtype(entry.dtype)
    if len(raw) != entry.size or entry.size != dtype.itemsize * int(np.prod(entry.shape)):
        raise CorruptCheckpointError(
            f"The values of '{info.key}' in '{index.path}' are incomplete "
            f"({len(raw)} bytes read, {entry.size} expected).",
            fix="Use another checkpoint or copy the files again.", received=info.key)
    return np.frombuffer(raw, dtype=dtype.newbyteorder("<")).reshape(entry.shape).copy()
