"""Just enough of the protobuf wire format to decode checkpoint metadata without TensorFlow.

Checkpoint indexes hold small protobuf messages (BundleEntryProto, TrackableObjectGraph);
decoding them here keeps `ckptlab inspect` free of the multi-second TensorFlow import.
Every read is bounded by the bytes at hand and every field's wire type is checked
against the type the schema gives it, so damaged bytes raise WireError, nothing else.
"""

from __future__ import annotations

import struct

__all__ = ["VARINT", "Message", "WireError", "read_varint"]

VARINT, FIXED64, LENGTH, FIXED32 = 0, 1, 2, 5
_TYPE_NAMES = {VARINT: "a varint", FIXED64: "a fixed64", LENGTH: "length-delimited bytes",
               FIXED32: "a fixed32"}


class WireError(ValueError):
    """The bytes are not a well-formed protobuf message (damaged or not a checkpoint)."""


def read_varint(data: bytes, position: int) -> tuple[int, int]:
    """Decode a base-128 varint (at most 10 bytes) at `position`; (value, next position)."""
    result = shift = 0
    while True:
        if position >= len(data) or shift > 63:
            raise WireError("a varint is truncated or longer than 10 bytes")
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result & 0xFFFFFFFFFFFFFFFF, position
        shift += 7


def _parse(data: bytes) -> dict[int, list[tuple[int, int | bytes]]]:
    found: dict[int, list[tuple[int, int | bytes]]] = {}
    position, end = 0, len(data)
    while position < end:
        tag, position = read_varint(data, position)
        number, wire_type = tag >> 3, tag & 7
        if number == 0:
            raise WireError("a field has number 0")
        if wire_type == VARINT:
            value, position = read_varint(data, position)
        elif wire_type == LENGTH:
            length, position = read_varint(data, position)
            if length > end - position:
                raise WireError(f"field {number} says {length} bytes follow but only "
                                f"{end - position} do")
            value, position = data[position:position + length], position + length
        elif wire_type in (FIXED32, FIXED64):
            size = 4 if wire_type == FIXED32 else 8
            if position + size > end:
                raise WireError(f"field {number} ({_TYPE_NAMES[wire_type]}) is truncated")
            value = struct.unpack_from("<I" if size == 4 else "<Q", data, position)[0]
            position += size
        else:
            raise WireError(f"field {number} has wire type {wire_type}, which checkpoint "
                            "metadata never uses")
        found.setdefault(number, []).append((wire_type, value))
    return found


class Message:
    """One decoded message; typed accessors check each field's wire type.

    Scalars follow protobuf's rule (the last occurrence wins); `what` names the message
    in errors ('the bundle entry of "dense/kernel"').
    """

    def __init__(self, data: bytes, what: str):
        self.what = what
        self._fields = _parse(data)

    def has(self, number: int) -> bool:
        return number in self._fields

    def _values(self, number: int, wire_type: int, name: str) -> list[int | bytes]:
        values = []
        for found, value in self._fields.get(number, ()):
            if found != wire_type:
                raise WireError(f"field {number} ({name}) of {self.what} is "
                                f"{_TYPE_NAMES[found]}, not {_TYPE_NAMES[wire_type]}")
            values.append(value)
        return values

    def uint(self, number: int, name: str, default: int = 0) -> int:
        values = self._values(number, VARINT, name)
        return int(values[-1]) if values else default

    def int64(self, number: int, name: str, default: int = 0) -> int:
        value = self.uint(number, name, default)
        return value - (1 << 64) if value >= 1 << 63 else value

    def int32(self, number: int, name: str, default: int = 0) -> int:
        value = self.uint(number, name, default) & 0xFFFFFFFF  # C++ protobuf truncates
        return value - (1 << 32) if value >= 1 << 31 else value

    def fixed32(self, number: int, name: str, default: int = 0) -> int:
        values = self._values(number, FIXED32, name)
        return int(values[-1]) if values else default

    def raw(self, number: int, name: str, default: bytes = b"") -> bytes:
        values = self._values(number, LENGTH, name)
        return bytes(values[-1]) if values else default

    def text(self, number: int, name: str) -> str:
        try:
            return self.raw(number, name).decode("utf-8")
        except UnicodeDecodeError as error:
            raise WireError(f"field {number} ({name}) of {self.what} is not UTF-8 text") \
                from error

    def messages(self, number: int, name: str, what: str) -> list[Message]:
        return [Message(bytes(v), what) for v in self._values(number, LENGTH, name)]

    def message(self, number: int, name: str, what: str) -> Message:
        return Message(self.raw(number, name), what)
