"""Just enough of the protobuf wire format to decode checkpoint metadata without TensorFlow.

Checkpoint indexes hold small protobuf messages (BundleEntryProto, TrackableObjectGraph);
decoding them here keeps `ckptlab inspect` free of the multi-second TensorFlow import.
"""

from __future__ import annotations

import struct

__all__ = ["WireError", "fields", "first", "read_varint", "repeated"]


class WireError(ValueError):
    """The bytes are not a well-formed protobuf message (damaged or not a checkpoint)."""


def read_varint(data: bytes, position: int) -> tuple[int, int]:
    """Decode a base-128 varint at `position`; returns (value, next position)."""
    result = shift = 0
    while True:
        if position >= len(data) or shift > 63:
            raise WireError("truncated or overlong varint")
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7


def fields(data: bytes) -> list[tuple[int, int | bytes]]:
    """All (field number, value) pairs: ints for varint/fixed fields, bytes otherwise."""
    found: list[tuple[int, int | bytes]] = []
    position, end = 0, len(data)
    while position < end:
        tag, position = read_varint(data, position)
        number, wire_type = tag >> 3, tag & 7
        if wire_type == 0:
            value, position = read_varint(data, position)
        elif wire_type == 2:
            length, position = read_varint(data, position)
            if position + length > end:
                raise WireError("length-delimited field runs past the end")
            value, position = data[position:position + length], position + length
        elif wire_type == 5:
            if position + 4 > end:
                raise WireError("truncated fixed32")
            value, position = struct.unpack_from("<I", data, position)[0], position + 4
        elif wire_type == 1:
            if position + 8 > end:
                raise WireError("truncated fixed64")
            value, position = struct.unpack_from("<Q", data, position)[0], position + 8
        else:
            raise WireError(f"unsupported wire type {wire_type}")
        found.append((number, value))
    return found


def first(pairs: list[tuple[int, int | bytes]], number: int, default=None):
    return next((value for n, value in pairs if n == number), default)


def repeated(pairs: list[tuple[int, int | bytes]], number: int) -> list:
    return [value for n, value in pairs if n == number]
