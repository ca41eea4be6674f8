"""The stored bytes of one tensor: located in its data file, checksummed, decoded.

Everything here works on entries `bundle.decode_index` has already checked, and checks
the rest against the data file itself before a byte is trusted: the range lies inside
the file, the bytes match the entry's masked CRC32C (as TensorFlow checks them), and a
string tensor's lengths add up to its size. Errors are DataError with the place named.
"""

from __future__ import annotations

import os

from ckptlab.checkpoint.bundle import BundleEntry, clip, data_file_name
from ckptlab.checkpoint.sstable import masked_crc32c
from ckptlab.checkpoint.wire import WireError, read_varint

__all__ = ["DataError", "decode_strings", "read_entry_bytes", "slice_key"]


class DataError(WireError):
    """A tensor's bytes in a data file are missing, out of range or fail their checksum."""


def read_entry_bytes(prefix: str, entry: BundleEntry, num_shards: int) -> bytes:
    """The `entry.size` bytes of `entry`, verified against its checksum."""
    path = data_file_name(prefix, entry.shard, num_shards)
    name = os.path.basename(path)
    where = f"bytes {entry.offset:,}-{entry.offset + entry.size:,} of {name}"
    try:
        with open(path, "rb") as handle:
            available = os.fstat(handle.fileno()).st_size
            if entry.offset + entry.size > available:
                raise DataError(f"the values of '{clip(entry.key)}' ({where}) lie past the end "
                                f"of the file's {available:,} bytes")
            handle.seek(entry.offset)
            raw = handle.read(entry.size)
    except OSError as error:
        raise DataError(f"{name} cannot be read ({error.strerror or error})") from error
    if len(raw) != entry.size:
        raise DataError(f"the values of '{clip(entry.key)}' ({where}) are incomplete")
    if entry.dtype == "string":
        decode_strings(raw, entry.elements, entry.key, entry.crc32c, where)
        return raw
    computed = masked_crc32c(raw)
    if computed != entry.crc32c:
        raise DataError(f"the values of '{clip(entry.key)}' ({where}) fail their checksum "
                        f"(stored 0x{entry.crc32c:08x}, computed 0x{computed:08x})")
    return raw


def decode_strings(raw: bytes, count: int, key: str, crc32c: int, where: str) -> list[bytes]:
    """A string tensor's elements, checked: varint lengths, a masked CRC32C of the lengths
    (as 4-byte integers), the bytes; the entry's checksum covers the same sequence."""
    lengths, position = [], 0
    for _ in range(count):
        length, position = read_varint(raw, position)
        lengths.append(length)
    if position + 4 + sum(lengths) != len(raw) or max(lengths, default=0) >= 1 << 32:
        raise DataError(f"the string lengths of '{clip(key)}' ({where}) do not add up to "
                        f"its {len(raw):,} bytes")
    as_fixed = b"".join(length.to_bytes(4, "little") for length in lengths)
    computed = masked_crc32c(as_fixed + raw[position:])
    if computed != crc32c or raw[position:position + 4] != \
            masked_crc32c(as_fixed).to_bytes(4, "little"):
        raise DataError(f"the values of '{clip(key)}' ({where}) fail their checksum "
                        f"(stored 0x{crc32c:08x}, computed 0x{computed:08x})")
    position += 4
    strings = []
    for length in lengths:
        strings.append(raw[position:position + length])
        position += length
    return strings


_ESCAPES = {0x00: b"\x00\xff", 0xFF: b"\xff\x00"}
# OrderedCode's header bits of a signed number encoded in n bytes (first, second byte)
_SIGNED_HEADERS = {**{n: ((0xFF << (8 - n)) & 0xFF, 0) for n in range(1, 9)},
                   9: (0xFF, 0x80), 10: (0xFF, 0xC0)}


def _ordered_string(raw: bytes) -> bytes:
    return b"".join(_ESCAPES.get(byte, bytes([byte])) for byte in raw) + b"\x00\x01"


def _ordered_number(value: int) -> bytes:
    body = value.to_bytes((value.bit_length() + 7) // 8, "big") if value else b""
    return bytes([len(body)]) + body


def _ordered_signed(value: int) -> bytes:
    length = (~value if value < 0 else value).bit_length() // 7 + 1
    encoded = bytearray((value % (1 << (8 * length))).to_bytes(length, "big"))
    first, second = _SIGNED_HEADERS[length]
    encoded[0] ^= first
    if length > 1:
        encoded[1] ^= second
    return bytes(encoded)


def slice_key(raw_name: bytes, extents: tuple[tuple[int, int], ...]) -> bytes:
    """The key TensorFlow stores one slice of a partitioned variable under
    (checkpoint::EncodeTensorNameSlice: OrderedCode of 0, the name, the rank, and the
    start and length of each dimension, -1 for a whole dimension)."""
    key = _ordered_number(0) + _ordered_string(raw_name) + _ordered_number(len(extents))
    for start, length in extents:
        key += _ordered_signed(start) + _ordered_signed(length)
    return key
