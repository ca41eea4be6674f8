"""Decode a checkpoint bundle's `.index` (BundleHeaderProto, BundleEntryProto) without TensorFlow.

The index maps each key to an entry (dtype, shape, shard, offset, size, checksum); the
key '' holds the header (number of shards, byte order). A partitioned variable's entry
lists its slices, each stored under a key of its own that starts with a 0 byte. Every
field is checked here against what TensorFlow could have written (known dtype, at most
254 non-negative dimensions, a size that fits the shape), so later code can trust it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from ckptlab.checkpoint.sstable import TableError, iterate_table
from ckptlab.checkpoint.wire import Message, WireError

__all__ = ["DTYPES", "MAX_RANK", "BundleEntry", "BundleHeader", "BundleIndex",
           "clip", "data_file_name", "decode_index", "key_text"]

# TensorFlow DataType enum -> (name, bytes per element; 0 when variable-sized)
DTYPES: dict[int, tuple[str, int]] = {
    1: ("float32", 4), 2: ("float64", 8), 3: ("int32", 4), 4: ("uint8", 1), 5: ("int16", 2),
    6: ("int8", 1), 7: ("string", 0), 8: ("complex64", 8), 9: ("int64", 8), 10: ("bool", 1),
    11: ("qint8", 1), 12: ("quint8", 1), 13: ("qint32", 4), 14: ("bfloat16", 2),
    15: ("qint16", 2), 16: ("quint16", 2), 17: ("uint16", 2), 18: ("complex128", 16),
    19: ("float16", 2), 20: ("resource", 0), 21: ("variant", 0), 22: ("uint32", 4),
    23: ("uint64", 8), 24: ("float8_e5m2", 1), 25: ("float8_e4m3fn", 1),
    26: ("float8_e4m3fnuz", 1), 27: ("float8_e4m3b11fnuz", 1), 28: ("float8_e5m2fnuz", 1),
    29: ("int4", 1), 30: ("uint4", 1), 31: ("int2", 1), 32: ("uint2", 1),
    33: ("float4_e2m1fn", 1),
}
MAX_RANK = 254  # TensorShape::MaxDimensions()
_MAX_ELEMENTS = 1 << 62
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def key_text(raw: bytes) -> str:
    """A key as safe text: invalid UTF-8 and control characters shown as escapes."""
    text = raw.decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", text)


def clip(text: str, limit: int = 80) -> str:
    """`text` cut to `limit` characters for a message, saying how much was cut."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


@dataclass(frozen=True)
class BundleHeader:
    num_shards: int
    big_endian: bool


@dataclass(frozen=True)
class BundleEntry:
    key: str  # key_text of the raw key
    raw_key: bytes
    dtype: str
    shape: tuple[int, ...]
    shard: int
    offset: int
    size: int  # bytes in the shard (0 for a partitioned variable: see `slices`)
    crc32c: int  # masked CRC32C of those bytes
    slices: tuple[tuple[tuple[int, int], ...], ...] = ()  # per slice: (start, length) per dim

    @property
    def elements(self) -> int:
        return math.prod(self.shape)

    @property
    def itemsize(self) -> int:
        return next(size for name, size in DTYPES.values() if name == self.dtype)


@dataclass(frozen=True)
class BundleIndex:
    header: BundleHeader
    entries: tuple[BundleEntry, ...]  # the variables (and the object graph), in key order
    slices: dict[bytes, BundleEntry]  # raw key -> stored slice of a partitioned variable
    _by_key: dict[str, BundleEntry] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_key.update((entry.key, entry) for entry in self.entries)

    def entry(self, key: str) -> BundleEntry | None:
        return self._by_key.get(key)


def _shape(message: Message) -> tuple[int, ...]:
    if message.uint(3, "unknown_rank"):
        raise WireError(f"{message.what} has an unknown rank, which a saved tensor cannot have")
    dims = message.messages(2, "dim", f"a dimension of {message.what}")
    if len(dims) > MAX_RANK:
        raise WireError(f"{message.what} has {len(dims):,} dimensions (TensorFlow allows "
                        f"{MAX_RANK})")
    shape, elements = [], 1
    for dim in dims:
        size = dim.int64(1, "size")
        if size < 0:
            raise WireError(f"{message.what} has a negative dimension ({size})")
        elements *= size
        if elements > _MAX_ELEMENTS:
            raise WireError(f"{message.what} has more than 2^62 elements")
        shape.append(size)
    return tuple(shape)


def _slices(entry: Message, shape: tuple[int, ...]) -> tuple:
    slices = []
    for proto in entry.messages(7, "slices", f"a slice of {entry.what}"):
        extents = proto.messages(1, "extent", f"an extent of {entry.what}")
        if len(extents) != len(shape):
            raise WireError(f"a slice of {entry.what} has {len(extents)} dimensions, the "
                            f"shape {len(shape)}")
        found = []
        for extent, dim in zip(extents, shape, strict=True):
            start = extent.int64(1, "start")
            length = extent.int64(2, "length", default=-1) if extent.has(2) else -1
            stop = dim if length == -1 else start + length
            if start < 0 or length < -1 or stop > dim:
                raise WireError(f"a slice of {entry.what} reaches outside its shape "
                                f"(start {start}, length {length}, dimension {dim})")
            found.append((start, length))
        slices.append(tuple(found))
    return tuple(slices)


def _entry(raw_key: bytes, value: bytes, num_shards: int) -> BundleEntry:
    key = key_text(raw_key)
    message = Message(value, f"the entry of '{clip(key)}'")
    code = message.uint(1, "dtype")
    if code not in DTYPES:
        raise WireError(f"{message.what} has dtype code {code}, not a TensorFlow dtype")
    dtype, itemsize = DTYPES[code]
    shape = _shape(message.message(2, "shape", f"the shape of '{clip(key)}'"))
    shard, offset, size = (message.int32(3, "shard_id"), message.int64(4, "offset"),
                           message.int64(5, "size"))
    if not 0 <= shard < num_shards:
        raise WireError(f"{message.what} points at data file {shard} of {num_shards}")
    if offset < 0 or size < 0:
        raise WireError(f"{message.what} has a negative offset or size ({offset}, {size})")
    slices = _slices(message, shape)
    elements = math.prod(shape)
    if itemsize and not slices and size != elements * itemsize:
        raise WireError(f"{message.what} says {size:,} bytes for {elements:,} {dtype} "
                        f"values ({elements * itemsize:,} bytes)")
    if dtype == "string" and elements > size:
        raise WireError(f"{message.what} says {size:,} bytes for {elements:,} strings")
    return BundleEntry(key, raw_key, dtype, shape, shard, offset, size,
                       message.fixed32(6, "crc32c"), slices)


def _header(value: bytes) -> BundleHeader:
    message = Message(value, "the bundle header")
    num_shards = message.int32(1, "num_shards")
    endianness = message.uint(2, "endianness")
    message.message(3, "version", "the bundle version")
    if num_shards < 0 or endianness > 1:
        raise WireError(f"the bundle header is invalid (num_shards {num_shards}, "
                        f"endianness {endianness})")
    return BundleHeader(num_shards, endianness == 1)


def decode_index(data: bytes) -> BundleIndex:
    """The header and entries of an index file's bytes (WireError when damaged)."""
    header: BundleHeader | None = None
    entries: list[BundleEntry] = []
    slices: dict[bytes, BundleEntry] = {}
    for raw_key, value in iterate_table(data):
        if raw_key == b"":
            header = _header(value)
        elif header is None:
            raise TableError("the table has no bundle header (key ''): not a checkpoint index")
        elif raw_key[0] == 0:
            slices[raw_key] = _entry(raw_key, value, header.num_shards)
        else:
            entries.append(_entry(raw_key, value, header.num_shards))
    if header is None:
        raise TableError("the table has no bundle header (key ''): not a checkpoint index")
    return BundleIndex(header, tuple(entries), slices)


def data_file_name(prefix: str, shard: int, num_shards: int) -> str:
    return f"{prefix}.data-{shard:05d}-of-{num_shards:05d}"
