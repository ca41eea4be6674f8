"""Read one variable's values on demand, checked before numpy sees a byte.

TF bundles are decoded here without TensorFlow: the entry's dtype, shape, offset and size
were checked against the index when it was decoded; here the bytes are checked against
the data file (range, masked CRC32C) and only then turned into an array. Partitioned
variables are put together from their slices; strings are decoded from TensorFlow's
layout; `resource` and `variant` tensors have no values to show.
"""

from __future__ import annotations

import os
from functools import lru_cache

import numpy as np

from ckptlab.checkpoint.bundle import BundleEntry, BundleIndex, clip, decode_index
from ckptlab.checkpoint.load import corrupt, stored_slices
from ckptlab.checkpoint.locate import read_bytes
from ckptlab.checkpoint.records import FORMAT_KERAS_H5, CheckpointIndex
from ckptlab.checkpoint.tensor_data import decode_strings, read_entry_bytes
from ckptlab.checkpoint.wire import WireError
from ckptlab.errors import UsageError

__all__ = ["numpy_dtype", "read_value"]

_QUANTIZED = {"qint8": "int8", "quint8": "uint8", "qint16": "int16", "quint16": "uint16",
              "qint32": "int32"}
_ML_DTYPES = {"bfloat16", "float8_e5m2", "float8_e4m3fn", "float8_e4m3fnuz",
              "float8_e4m3b11fnuz", "float8_e5m2fnuz", "int4", "uint4", "int2", "uint2",
              "float4_e2m1fn"}


def numpy_dtype(dtype: str, big_endian: bool = False) -> np.dtype | None:
    """The numpy dtype of a stored TensorFlow dtype (None: strings, resource, variant)."""
    if dtype in _ML_DTYPES:
        import ml_dtypes  # installed with TensorFlow; imported only for these dtypes

        return np.dtype(getattr(ml_dtypes, dtype))
    if dtype in ("string", "resource", "variant"):
        return None
    return np.dtype(_QUANTIZED.get(dtype, dtype)).newbyteorder(">" if big_endian else "<")


@lru_cache(maxsize=8)
def _bundle(prefix: str, size: int, mtime: float) -> BundleIndex:
    try:
        return decode_index(read_bytes(prefix + ".index", "checkpoint index"))
    except WireError as error:
        raise corrupt(prefix, f"its .index file cannot be decoded: {error}") from error


def _array(prefix: str, bundle: BundleIndex, entry: BundleEntry) -> np.ndarray:
    raw = read_entry_bytes(prefix, entry, bundle.header.num_shards)
    if entry.dtype == "string":
        strings = decode_strings(raw, entry.elements, entry.key, entry.crc32c, "")
        return np.array(strings, dtype=object).reshape(entry.shape)
    dtype = numpy_dtype(entry.dtype, bundle.header.big_endian)
    return np.frombuffer(raw, dtype=dtype).reshape(entry.shape).astype(dtype.newbyteorder("="))


def _assembled(prefix: str, bundle: BundleIndex, entry: BundleEntry) -> np.ndarray:
    dtype = numpy_dtype(entry.dtype)
    slices = stored_slices(bundle, entry)
    covered = sum(stored.elements for _, stored in slices)
    if covered != entry.elements:
        raise WireError(f"the slices of '{clip(entry.key)}' hold {covered:,} values, its "
                        f"shape {entry.elements:,}")
    value = np.zeros(entry.shape, dtype=object if dtype is None else dtype)
    for extents, stored in slices:
        where = tuple(slice(start, dim if length == -1 else start + length)
                      for (start, length), dim in zip(extents, entry.shape, strict=True))
        if value[where].shape != stored.shape:
            raise WireError(f"a slice of '{clip(entry.key)}' has shape {stored.shape}, its "
                            f"place {value[where].shape}")
        value[where] = _array(prefix, bundle, stored)
    return value


def _read_bundle_value(index: CheckpointIndex, key: str) -> np.ndarray:
    stat = os.stat(index.path + ".index")
    bundle = _bundle(index.path, stat.st_size, stat.st_mtime)
    entry = bundle.entry(key)
    if entry is None:
        raise corrupt(index.path, f"'{clip(key)}' is no longer in its .index file (was it "
                                  "overwritten by a new save?)")
    if entry.dtype in ("resource", "variant"):
        raise UsageError(f"'{clip(key)}' is a {entry.dtype} tensor: it has no values to show.",
                         fix="Pick a variable of a number or string dtype.", received=key)
    try:
        if entry.slices:
            return _assembled(index.path, bundle, entry)
        return _array(index.path, bundle, entry)
    except WireError as error:
        raise corrupt(index.path, str(error)) from error


def read_value(index: CheckpointIndex, key: str) -> np.ndarray:
    """The values of one variable (by key or path) as a numpy array; nothing else is read."""
    try:
        info = index.variable(key)
    except KeyError as error:
        raise UsageError(f"The checkpoint has no variable {clip(key)!r}.",
                         fix="Use a key from `ckptlab inspect PATH` (or index.keys).",
                         received=clip(key)) from error
    if index.format == FORMAT_KERAS_H5:
        from ckptlab.checkpoint.reader_h5 import read_h5_value

        return np.asarray(read_h5_value(index.path, info.key))
    return _read_bundle_value(index, info.key)
