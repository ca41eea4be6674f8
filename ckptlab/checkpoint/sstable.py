"""Read a TensorFlow table file (the `.index` of a checkpoint) without TensorFlow.

The format is LevelDB's SSTable: a 48-byte footer points at an index block, whose entries
point at data blocks; each block holds prefix-compressed key/value entries followed by a
restart array, and is followed by a 5-byte trailer: the compression type and a masked
CRC32C of the block and that type, which is verified like TensorFlow does. TensorFlow
writes checkpoint indexes uncompressed, its blocks in order and its keys sorted; a table
that breaks those rules (overlapping blocks, repeated or unsorted keys) is damaged.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

import google_crc32c

from ckptlab.checkpoint.wire import WireError, read_varint

__all__ = ["TABLE_MAGIC", "TableError", "iterate_table", "key_budget", "masked_crc32c"]

TABLE_MAGIC = 0xDB4775248B80FB57
_FOOTER_SIZE = 48
_TRAILER_SIZE = 5
_MASK_DELTA = 0xA282EAD8


class TableError(WireError):
    """The file is not a table, or it is truncated or damaged (the message names where)."""


def masked_crc32c(data: bytes) -> int:
    """CRC32C of `data`, masked the way TensorFlow (and LevelDB) store it."""
    crc = google_crc32c.value(data)
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + _MASK_DELTA) & 0xFFFFFFFF


def key_budget(file_size: int) -> int:
    """Most key bytes a table of this size may decode to. TensorFlow writes a full key every
    16 entries, so its keys add up to less than 16x the file; a crafted table can make each
    entry repeat a long key for 3 bytes, which this bound stops."""
    return 16 * file_size + (1 << 20)


def _handle(data: bytes, position: int) -> tuple[int, int, int]:
    offset, position = read_varint(data, position)
    size, position = read_varint(data, position)
    return offset, size, position


def _block(data: bytes, offset: int, size: int, name: str) -> bytes:
    where = f"{name} (bytes {offset}-{offset + size})"
    if offset + size + _TRAILER_SIZE > len(data) - _FOOTER_SIZE:
        raise TableError(f"{name} at byte {offset} ({size} bytes) runs past the end of the "
                         f"file's {len(data)} bytes")
    compression = data[offset + size]
    stored = struct.unpack_from("<I", data, offset + size + 1)[0]
    computed = masked_crc32c(data[offset:offset + size + 1])
    if stored != computed:
        raise TableError(f"{where} fails its checksum (stored 0x{stored:08x}, computed "
                         f"0x{computed:08x})")
    if compression != 0:
        raise TableError(f"{where} is compressed (type {compression}); TensorFlow writes "
                         "checkpoint indexes uncompressed")
    return data[offset:offset + size]


def _entries(block: bytes, name: str) -> Iterator[tuple[bytes, bytes]]:
    if len(block) < 4:
        raise TableError(f"{name} has {len(block)} bytes, too few for its restart count")
    restarts = struct.unpack_from("<I", block, len(block) - 4)[0]
    if restarts > (len(block) - 4) // 4:
        raise TableError(f"{name} claims {restarts} restart points, more than its "
                         f"{len(block)} bytes hold")
    end = len(block) - 4 - 4 * restarts
    position, key = 0, b""
    while position < end:
        shared, position = read_varint(block, position)
        unshared, position = read_varint(block, position)
        length, position = read_varint(block, position)
        if shared > len(key) or unshared > end - position or length > end - position - unshared:
            raise TableError(f"an entry of {name} runs past the end of its block")
        key = key[:shared] + block[position:position + unshared]
        position += unshared
        yield key, block[position:position + length]
        position += length


def iterate_table(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """Every (key, value) of the table held in `data`, in key order.

    Raises TableError when the bytes are not a complete, intact table.
    """
    if len(data) < _FOOTER_SIZE:
        raise TableError(f"the file has {len(data)} bytes, fewer than a table footer (48)")
    footer = data[-_FOOTER_SIZE:]
    if struct.unpack_from("<Q", footer, _FOOTER_SIZE - 8)[0] != TABLE_MAGIC:
        raise TableError("the file does not end with the table magic number")
    budget, used = key_budget(len(data)), 0
    _, _, position = _handle(footer, 0)
    index_offset, index_size, _ = _handle(footer, position)
    handles = list(_entries(_block(data, index_offset, index_size, "the index block"),
                            "the index block"))
    previous_end, last_key = 0, None
    for number, (_, handle) in enumerate(handles, start=1):
        offset, size, _ = _handle(handle, 0)
        name = f"data block {number} of {len(handles)}"
        if offset < previous_end:
            raise TableError(f"{name} starts at byte {offset}, inside the block before "
                             "it (blocks are written one after another)")
        previous_end = offset + size + _TRAILER_SIZE
        for key, value in _entries(_block(data, offset, size, name), name):
            if last_key is not None and key <= last_key:
                raise TableError(f"{name} repeats or reorders keys (TensorFlow writes "
                                 "each key once, sorted)")
            used += len(key)
            if used > budget:
                raise TableError(f"its keys add up to more than {budget:,} bytes, more "
                                 f"than TensorFlow writes in a {len(data):,}-byte table")
            last_key = key
            yield key, value
