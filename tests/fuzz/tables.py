"""Write TensorFlow tables and protobuf fields back, with valid checksums, for mutated inputs.

A mutation that only flips bytes is stopped by the block checksum; to reach the decoders
behind it, the fuzzer decodes a real index, changes entries or fields, and seals the
result again the way TensorFlow's table builder would (restart points, masked CRC32C,
footer). This is test code: ckptlab itself never writes checkpoints.
"""

from __future__ import annotations

import struct

from ckptlab.checkpoint.sstable import TABLE_MAGIC, masked_crc32c
from ckptlab.checkpoint.wire import read_varint

Field = tuple[int, int, "int | bytes"]  # (number, wire type, value)


def varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def parse_fields(data: bytes) -> list[Field] | None:
    """The fields of a message, or None when the bytes are not one."""
    fields, position = [], 0
    try:
        while position < len(data):
            tag, position = read_varint(data, position)
            number, wire_type = tag >> 3, tag & 7
            if wire_type == 0:
                value, position = read_varint(data, position)
            elif wire_type == 2:
                length, position = read_varint(data, position)
                if position + length > len(data):
                    return None
                value, position = data[position:position + length], position + length
            elif wire_type in (1, 5):
                size = 8 if wire_type == 1 else 4
                if position + size > len(data):
                    return None
                value = int.from_bytes(data[position:position + size], "little")
                position += size
            else:
                return None
            fields.append((number, wire_type, value))
    except ValueError:
        return None
    return fields


def encode_fields(fields: list[Field]) -> bytes:
    out = bytearray()
    for number, wire_type, value in fields:
        out += varint((number << 3) | (wire_type & 7))
        if wire_type != 2 and isinstance(value, bytes):
            value = len(value)
        if wire_type == 0:
            out += varint(int(value))
        elif wire_type == 2:
            raw = value if isinstance(value, bytes) else varint(int(value))
            out += varint(len(raw)) + raw
        elif wire_type == 5:
            out += struct.pack("<I", int(value) & 0xFFFFFFFF)
        elif wire_type == 1:
            out += struct.pack("<Q", int(value) & ((1 << 64) - 1))
        else:  # an invalid wire type: write the tag alone
            pass
    return bytes(out)


def _block(entries: list[tuple[bytes, bytes]], restart_interval: int) -> bytes:
    out, restarts, previous = bytearray(), [], b""
    for number, (key, value) in enumerate(entries):
        shared = 0
        if number % restart_interval == 0:
            restarts.append(len(out))
        else:
            while shared < min(len(key), len(previous)) and key[shared] == previous[shared]:
                shared += 1
        out += varint(shared) + varint(len(key) - shared) + varint(len(value))
        out += key[shared:] + value
        previous = key
    restarts = restarts or [0]
    out += b"".join(struct.pack("<I", r) for r in restarts) + struct.pack("<I", len(restarts))
    return bytes(out)


def _sealed(block: bytes) -> bytes:
    return block + b"\x00" + struct.pack("<I", masked_crc32c(block + b"\x00"))


def write_table(entries: list[tuple[bytes, bytes]], *, block_entries: int = 64,
                restart_interval: int = 16, repeat_handles: int = 1) -> bytes:
    """A table holding `entries` in the given order (sorted or not), sealed like TF's.

    `repeat_handles` > 1 lists each data block that many times in the index block.
    """
    out, handles = bytearray(), []
    groups = [entries[i:i + block_entries] for i in range(0, len(entries), block_entries)]
    for group in groups or [[]]:
        block = _block(group, restart_interval)
        handles.append(((group[-1][0] if group else b""), len(out), len(block)))
        out += _sealed(block)
    meta_offset, meta = len(out), _block([], restart_interval)
    out += _sealed(meta)
    index_entries = []
    for last_key, offset, size in handles:
        for copy in range(repeat_handles):
            index_entries.append((last_key + bytes([copy]) * bool(copy),
                                  varint(offset) + varint(size)))
    index_offset, index = len(out), _block(index_entries, 1)
    out += _sealed(index)
    footer = varint(meta_offset) + varint(len(meta)) + varint(index_offset) + varint(len(index))
    out += footer.ljust(40, b"\x00") + struct.pack("<Q", TABLE_MAGIC)
    return bytes(out)


def string_tensor(strings: list[bytes]) -> tuple[bytes, int]:
    """(bytes, entry checksum) of a string tensor in TensorFlow's layout."""
    lengths = b"".join(varint(len(s)) for s in strings)
    as_fixed = b"".join(len(s).to_bytes(4, "little") for s in strings)
    length_check = struct.pack("<I", masked_crc32c(as_fixed))
    body = b"".join(strings)
    return lengths + length_check + body, masked_crc32c(as_fixed + length_check + body)


def shape_message(dims: list[int]) -> bytes:
    """A TensorShapeProto with these dimensions (negative ones as 64-bit varints)."""
    return encode_fields([(2, 2, encode_fields([(1, 0, d)])) for d in dims])


def rewrite_index(index_path, change) -> None:
    """Apply `change(entries)` (a list of (key, value), changed in place) and seal again."""
    from pathlib import Path

    from ckptlab.checkpoint.sstable import iterate_table

    path = Path(index_path)
    entries = list(iterate_table(path.read_bytes()))
    change(entries)
    path.write_bytes(write_table(entries))


def set_fields(index_path, key: bytes, replace: dict[int, tuple[int, int | bytes]]) -> None:
    """Give the entry of `key` these fields: number -> (wire type, value) (None: removed)."""
    def change(entries):
        for position, (entry_key, value) in enumerate(entries):
            if entry_key == key:
                fields = [f for f in parse_fields(value) if f[0] not in replace]
                fields += [(n, *v) for n, v in replace.items() if v is not None]
                entries[position] = (key, encode_fields(sorted(fields, key=lambda f: f[0])))
    rewrite_index(index_path, change)
