"""Read a TensorFlow table file (the `.index` of a checkpoint) without TensorFlow.

The format is LevelDB's SSTable: a 48-byte footer points at an index block, whose entries
point at data blocks; each block holds prefix-compressed key/value entries followed by a
restart array, and is followed by a 5-byte trailer (compression type + checksum).
TensorFlow writes checkpoint indexes uncompressed.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from ckptlab.checkpoint.wire import WireError, read_varint

__all__ = ["TABLE_MAGIC", "TableError", "iterate_table"]

TABLE_MAGIC = 0xDB4775248B80FB57
_FOOTER_SIZE = 48
_TRAILER_SIZE = 5


class TableError(ValueError):
    """The file is not a table, or it is truncated or damaged."""


def _handle(data: bytes, position: int) -> tuple[int, int, int]:
    offset, position = read_varint(data, position)
    size, position = read_varint(data, position)
    return offset, size, position


def _block(data: bytes, offset: int, size: int) -> bytes:
    if offset + size + _TRAILER_SIZE > len(data):
        raise TableError(f"block at byte {offset} runs past the end of the file (truncated?)")
    compression = data[offset + size]
    if compression != 0:
        raise TableError(f"block at byte {offset} is compressed (type {compression}); "
                         "only uncompressed tables are read without TensorFlow")
    return data[offset:offset + size]


def _entries(block: bytes) -> Iterator[tuple[bytes, bytes]]:
    if len(block) < 4:
        raise TableError("block too small")
    restarts = struct.unpack_from("<I", block, len(block) - 4)[0]
    end = len(block) - 4 - 4 * restarts
    if end < 0:
        raise TableError("bad restart count")
    position, key = 0, b""
    while position < end:
        shared, position = read_varint(block, position)
        unshared, position = read_varint(block, position)
        length, position = read_varint(block, position)
        if shared > len(key) or position + unshared + length > end:
            raise TableError("entry runs past the end of its block")
        key = key[:shared] + block[position:position + unshared]
        position += unshared
        yield key, block[position:position + length]
        position += length


def iterate_table(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """Every (key, value) of the table held in `data`, in key order.

    Raises TableError when the bytes are not a complete, readable table.
    """
    if len(data) < _FOOTER_SIZE:
        raise TableError(f"file has {len(data)} bytes, fewer than a table footer")
    footer = data[-_FOOTER_SIZE:]
    if struct.unpack_from("<Q", footer, _FOOTER_SIZE - 8)[0] != TABLE_MAGIC:
        raise TableError("no table magic number at the end of the file")
    try:
        _, _, position = _handle(footer, 0)
        index_offset, index_size, _ = _handle(footer, position)
        for _, handle in _entries(_block(data, index_offset, index_size)):
            offset, size, _ = _handle(handle, 0)
            yield from _entries(_block(data, offset, size))
    except WireError as error:
        raise TableError(str(error)) from error
