"""Mutations of real checkpoints, every choice drawn from Hypothesis (so failures shrink).

Three layers: bytes (bit flips, truncations, chunk copies, insertions) of any file;
fields and keys of a decoded `.index` sealed again with valid checksums (tables.py);
and tensors in the data file re-sealed (an object graph with mutated fields, changed
values) so the decoders behind every checksum see hostile input too.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

from ckptlab.checkpoint.bundle import data_file_name, decode_index
from ckptlab.checkpoint.sstable import iterate_table, masked_crc32c
from ckptlab.scopes import OBJECT_GRAPH_KEY
from tests.fuzz.tables import encode_fields, parse_fields, string_tensor, varint, write_table

INTERESTING = [0, 1, 2, 3, 7, 8, 31, 32, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x7FFFFFFF,
               0x80000000, 0xFFFFFFFF, 1 << 32, 1 << 40, 1 << 62, (1 << 63) - 1, 1 << 63,
               (1 << 64) - 1, (1 << 64) - 2]
integers = st.one_of(st.sampled_from(INTERESTING), st.integers(0, (1 << 64) - 1))


# -- bytes ------------------------------------------------------------------------------
def mutate_bytes(draw, data: bytes) -> bytes:
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "set", "truncate", "delete", "insert", "copy",
                                   "append"]))
        size = len(data)
        at = draw(st.integers(0, max(size - 1, 0)))
        if op == "flip" and size:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "set" and size:
            data[at] = draw(st.integers(0, 255))
        elif op == "truncate":
            del data[at:]
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 64))]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=32))
        elif op == "copy" and size:
            length = draw(st.integers(1, max(1, size - at)))
            chunk = bytes(data[at:at + length])
            to = draw(st.integers(0, size))
            if draw(st.booleans()):
                data[to:to] = chunk * draw(st.integers(1, 8))
            else:
                data[to:to + len(chunk)] = chunk
        elif op == "append":
            data += draw(st.binary(min_size=1, max_size=64))
    return bytes(data)


# -- protobuf fields -----------------------------------------------------------------------
def mutate_message(draw, message: bytes, depth: int = 0) -> bytes:
    fields = parse_fields(message)
    if fields is None or not fields or draw(st.integers(0, 9)) == 0:
        return mutate_bytes(draw, message)
    fields = list(fields)
    index = draw(st.integers(0, len(fields) - 1))
    number, wire_type, value = fields[index]
    op = draw(st.sampled_from(["value", "wire_type", "delete", "repeat", "add", "nested"]))
    if op == "value" and wire_type in (0, 1, 5):
        fields[index] = (number, wire_type, draw(integers))
    elif op == "value" and wire_type == 2:
        fields[index] = (number, 2, draw(st.binary(max_size=16)) if draw(st.booleans())
                         else bytes(value) * draw(st.integers(2, 64)))
    elif op == "wire_type":
        new_type = draw(st.sampled_from([0, 1, 2, 3, 4, 5, 6, 7]))
        fields[index] = (number, new_type, value if new_type == 2 or isinstance(value, int)
                         else len(value))
    elif op == "delete":
        del fields[index]
    elif op == "repeat":
        fields[index:index] = [fields[index]] * draw(st.integers(1, 200))
    elif op == "add":
        fields.insert(index, (draw(st.integers(1, 20)), draw(st.sampled_from([0, 2, 5])),
                              draw(integers) if draw(st.booleans()) else varint(draw(integers))))
    elif op == "nested" and wire_type == 2 and depth < 3:
        fields[index] = (number, 2, mutate_message(draw, bytes(value), depth + 1))
    return encode_fields(fields)


# -- tables ---------------------------------------------------------------------------------
def mutate_index(draw, data: bytes) -> bytes:
    """Decode the table, change entries, keys or layout, and seal it again."""
    entries = list(iterate_table(data))
    op = draw(st.sampled_from(["entry", "entry", "entry", "header", "key", "duplicate",
                               "reorder", "drop", "long_keys", "deep_key", "layout"]))
    position = draw(st.integers(0, len(entries) - 1))
    options = {}
    if op in ("entry", "header"):
        target = 0 if op == "header" else position
        key, value = entries[target]
        entries[target] = (key, mutate_message(draw, value))
    elif op == "key":
        key, value = entries[position]
        entries[position] = (draw(st.one_of(st.binary(max_size=40),
                                            st.just(key + b"\x1b[2J\n\x00"))), value)
    elif op == "duplicate":
        entries[position:position] = [entries[position]] * draw(st.integers(1, 50))
    elif op == "reorder":
        other = draw(st.integers(0, len(entries) - 1))
        entries[position], entries[other] = entries[other], entries[position]
    elif op == "drop":
        del entries[position]
    elif op == "long_keys":  # many entries repeating one long key prefix
        key, value = entries[position]
        long_key = key + b"/" + b"x" * draw(st.integers(100, 20_000))
        entries[position + 1:position + 1] = [(long_key + b"%05d" % i, value)
                                              for i in range(draw(st.integers(1, 300)))]
    elif op == "deep_key":  # a key thousands of scopes deep, sorted last
        value = entries[position][1]
        levels = draw(st.sampled_from([1_500, 5_000, 50_000, 200_000]))
        entries.append((b"\xff/" + b"/".join([b"s"] * levels) + b"/kernel", value))
    else:
        options = {"block_entries": draw(st.integers(1, 8)),
                   "restart_interval": draw(st.sampled_from([1, 2, 16, 1000])),
                   "repeat_handles": draw(st.integers(1, 40))}
    return write_table(entries, **options)


# -- tensors behind their checksums ----------------------------------------------------------
def _set_entry(entries, key: bytes, offset: int, size: int, crc: int) -> None:
    for number, (entry_key, value) in enumerate(entries):
        if entry_key == key:
            fields = [f for f in parse_fields(value) if f[0] not in (3, 4, 5, 6)]
            fields += [(3, 0, 0), (4, 0, offset), (5, 0, size), (6, 5, crc)]
            entries[number] = (key, encode_fields(fields))


def reseal_tensor(draw, prefix: Path) -> None:
    """Change one tensor's bytes (the object graph's fields, or raw values), append them
    to data file 0, and point the index entry at them with a valid checksum."""
    index_path = Path(f"{prefix}.index")
    bundle = decode_index(index_path.read_bytes())
    entries = list(iterate_table(index_path.read_bytes()))
    entry = draw(st.sampled_from(bundle.entries))
    data_path = Path(data_file_name(str(prefix), entry.shard, bundle.header.num_shards))
    raw = data_path.read_bytes()[entry.offset:entry.offset + entry.size]
    if entry.key == OBJECT_GRAPH_KEY:
        from ckptlab.checkpoint.tensor_data import decode_strings

        graph = decode_strings(raw, 1, entry.key, entry.crc32c, "")[0]
        new, crc = string_tensor([mutate_message(draw, graph)])
    else:
        new = mutate_bytes(draw, raw)
        crc = masked_crc32c(new)
    first = Path(data_file_name(str(prefix), 0, bundle.header.num_shards))
    offset = first.stat().st_size
    first.write_bytes(first.read_bytes() + new)
    _set_entry(entries, entry.raw_key, offset, len(new), crc)
    index_path.write_bytes(write_table(entries))


def mutate_state_file(draw, text: bytes) -> bytes:
    choice = draw(st.sampled_from(["bytes", "path", "lines"]))
    if choice == "bytes":
        return mutate_bytes(draw, text)
    if choice == "path":
        path = draw(st.sampled_from(["/", "..", "../../etc/passwd", "\\000", "x" * 5000,
                                     "\\\"", "\\xff\\xfe", "/proc/self/mem", "ckpt-999"]))
        return f'model_checkpoint_path: "{path}"\n'.encode() + text
    return text + b'all_model_checkpoint_paths: "ckpt-1"\n' * draw(st.integers(1, 2000))
