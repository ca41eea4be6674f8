"""Decode a checkpoint bundle (`.index` + `.data-*` shards) without TensorFlow.

The index maps each key to a BundleEntryProto (dtype, shape, shard, offset, size,
checksum); the key '' holds the BundleHeaderProto (number of shards). Values are read
from the shard only on demand, one variable at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

from ckptlab.checkpoint.sstable import iterate_table
from ckptlab.checkpoint.wire import fields, first, read_varint, repeated

__all__ = ["DTYPES", "BundleEntry", "BundleHeader", "data_file_name", "decode_index",
           "decode_string_tensor"]

# TensorFlow DataType enum -> (name, bytes per element; 0 when variable-sized)
DTYPES: dict[int, tuple[str, int]] = {
    1: ("float32", 4), 2: ("float64", 8), 3: ("int32", 4), 4: ("uint8", 1), 5: ("int16", 2),
    6: ("int8", 1), 7: ("string", 0), 8: ("complex64", 8), 9: ("int64", 8), 10: ("bool", 1),
    11: ("qint8", 1), 12: ("quint8", 1), 13: ("qint32", 4), 14: ("bfloat16", 2),
    15: ("qint16", 2), 16: ("quint16", 2), 17: ("uint16", 2), 18: ("complex128", 16),
    19: ("float16", 2), 20: ("resource", 0), 21: ("variant", 0), 22: ("uint32", 4),
    23: ("uint64", 8),
}


@dataclass(frozen=True)
class BundleHeader:
    num_shards: int
    endianness: int  # 0 little, 1 big


@dataclass(frozen=True)
class BundleEntry:
    key: str
    dtype: str
    shape: tuple[int, ...]
    shard: int
    offset: int
    size: int  # bytes in the shard
    crc32c: int
    sliced: bool  # a partitioned variable, stored as several slices


def _shape(message: bytes) -> tuple[int, ...]:
    return tuple(int(first(fields(dim), 1, 0)) for dim in repeated(fields(message), 2))


def _entry(key: str, value: bytes) -> BundleEntry:
    found: dict[int, int | bytes] = {}
    for number, item in fields(value):
        found.setdefault(number, item)
    code = int(found.get(1, 0))
    dtype = DTYPES.get(code, (f"dtype_{code}", 0))[0]
    return BundleEntry(
        key=key, dtype=dtype, shape=_shape(found.get(2, b"")),
        shard=int(found.get(3, 0)), offset=int(found.get(4, 0)),
        size=int(found.get(5, 0)), crc32c=int(found.get(6, 0)), sliced=7 in found,
    )


def decode_index(data: bytes) -> tuple[BundleHeader, list[BundleEntry]]:
    """Header and entries of an index file's bytes (TableError/WireError when damaged)."""
    header = BundleHeader(1, 0)
    entries: list[BundleEntry] = []
    seen_header = False
    for raw_key, value in iterate_table(data):
        if raw_key == b"":
            pairs = fields(value)
            header = BundleHeader(int(first(pairs, 1, 1)), int(first(pairs, 2, 0)))
            seen_header = True
            continue
        entries.append(_entry(raw_key.decode("utf-8", "replace"), value))
    if not seen_header:
        raise ValueError("the table has no bundle header (key ''): not a checkpoint index")
    return header, entries


def data_file_name(prefix: str, shard: int, num_shards: int) -> str:
    return f"{prefix}.data-{shard:05d}-of-{num_shards:05d}"


def decode_string_tensor(raw: bytes, count: int = 1) -> list[bytes]:
    """Strings as TensorFlow stores them: varint lengths, a 4-byte checksum, the bytes."""
    lengths, position = [], 0
    for _ in range(count):
        length, position = read_varint(raw, position)
        lengths.append(length)
    position += 4
    strings = []
    for length in lengths:
        strings.append(raw[position:position + length])
        position += length
    return strings
