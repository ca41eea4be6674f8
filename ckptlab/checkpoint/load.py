"""Build a CheckpointIndex from a TF checkpoint bundle, reading metadata only."""

from __future__ import annotations

import os
import struct
from dataclasses import replace

from ckptlab.checkpoint.bundle import (
    BundleEntry,
    data_file_name,
    decode_index,
    decode_string_tensor,
)
from ckptlab.checkpoint.locate import Located, locate, read_bytes, step_of
from ckptlab.checkpoint.objgraph import ObjectGraph, decode_object_graph
from ckptlab.checkpoint.records import (
    FORMAT_NAME_BASED,
    FORMAT_OBJECT_BASED,
    CheckpointIndex,
    FileInfo,
    VariableInfo,
)
from ckptlab.checkpoint.sstable import TableError
from ckptlab.checkpoint.wire import WireError
from ckptlab.errors import CorruptCheckpointError
from ckptlab.scopes import (
    KIND_OPTIMIZER,
    OBJECT_GRAPH_KEY,
    classify,
    object_path,
    parent_scope,
    slot_of,
)

__all__ = ["inspect_checkpoint", "read_bundle"]


def _corrupt(prefix: str, problem: str) -> CorruptCheckpointError:
    return CorruptCheckpointError(
        f"The checkpoint '{prefix}' is damaged: {problem}.",
        why="The files were probably truncated (an interrupted copy or save, a full disk) "
            "or belong to different saves.",
        fix="Use another checkpoint of the run (e.g. the previous step) or copy the files "
            "again, all PREFIX.index and PREFIX.data-* files together.", received=prefix)


def _read_range(path: str, offset: int, size: int) -> bytes:
    with open(path, "rb") as handle:
        handle.seek(offset)
        return handle.read(size)


def _check_shards(prefix: str, num_shards: int, entries: list[BundleEntry]) -> list[FileInfo]:
    needed = [0] * num_shards
    for entry in entries:
        if entry.shard >= num_shards:
            raise _corrupt(prefix, f"'{entry.key}' points at shard {entry.shard} of {num_shards}")
        needed[entry.shard] = max(needed[entry.shard], entry.offset + entry.size)
    files = [FileInfo(os.path.basename(prefix) + ".index", os.path.getsize(prefix + ".index"))]
    for shard in range(num_shards):
        name = data_file_name(prefix, shard, num_shards)
        if not os.path.isfile(name):
            raise _corrupt(prefix, f"the data file '{os.path.basename(name)}' is missing")
        size = os.path.getsize(name)
        if size < needed[shard]:
            raise _corrupt(prefix, f"'{os.path.basename(name)}' has {size} bytes but the index "
                                   f"needs {needed[shard]} (truncated)")
        files.append(FileInfo(os.path.basename(name), size))
    return files


def _object_graph(prefix: str, entry: BundleEntry, num_shards: int) -> ObjectGraph:
    raw = _read_range(data_file_name(prefix, entry.shard, num_shards), entry.offset, entry.size)
    try:
        return decode_object_graph(decode_string_tensor(raw)[0])
    except (WireError, UnicodeDecodeError, IndexError) as error:
        raise _corrupt(prefix, f"its object graph cannot be decoded ({error})") from error


def _variable(entry: BundleEntry, aliases: dict, slots: dict) -> VariableInfo:
    kind = classify(entry.key)
    path = object_path(entry.key)
    slot_of_path, slot = "", ""
    if entry.key in slots:
        kind = KIND_OPTIMIZER
        slot_of_path, slot = slots[entry.key]
    elif kind == KIND_OPTIMIZER and (ref := slot_of(entry.key)):
        slot_of_path, slot = ref.variable, ref.slot
    elif kind == KIND_OPTIMIZER and entry.key in aliases:
        # a model weight first reached through the optimizer (Keras 3 saves the model's
        # variables under optimizer/_trainable_variables when the optimizer comes first)
        outside = [a for a in aliases[entry.key] if classify(a) != KIND_OPTIMIZER]
        if outside:
            path, kind = outside[0], classify(outside[0])
    owner = parent_scope(path) if aliases else ""
    return VariableInfo(entry.key, entry.shape, entry.dtype, entry.size, kind, path,
                        owner, slot_of_path, slot, tuple(aliases.get(entry.key, ())))


def _step(prefix: str, entries: list[BundleEntry], num_shards: int) -> int | None:
    for entry in entries:
        if (entry.key == "global_step" and entry.dtype == "int64" and entry.shape == ()
                and entry.size == 8):
            raw = _read_range(data_file_name(prefix, entry.shard, num_shards), entry.offset, 8)
            return struct.unpack("<q", raw)[0]
    return step_of(prefix)


def read_bundle(prefix: str, all_checkpoints: tuple[str, ...] = (),
                notes: tuple[str, ...] = ()) -> CheckpointIndex:
    """Index one TF checkpoint (PREFIX.index + PREFIX.data-*) without loading values."""
    data = read_bytes(prefix + ".index", "checkpoint index")
    try:
        header, entries = decode_index(data)
    except (TableError, WireError, ValueError) as error:
        raise _corrupt(prefix, f"its .index file cannot be decoded ({error})") from error
    files = _check_shards(prefix, header.num_shards, entries)
    graph_entry = next((e for e in entries if e.key == OBJECT_GRAPH_KEY), None)
    graph = _object_graph(prefix, graph_entry, header.num_shards) if graph_entry else None
    aliases = graph.aliases_of_key() if graph else {}
    slots = graph.slot_owners() if graph else {}
    variables = [_variable(e, aliases, slots) for e in entries if e.key != OBJECT_GRAPH_KEY]
    shown = {object_path(v.key): v.path for v in variables}
    variables = tuple(replace(v, slot_of=shown.get(v.slot_of, v.slot_of)) for v in variables)
    objects = tuple((n.path, tuple(name for name, _ in n.children))
                    for n in graph.nodes if not n.is_variable) if graph else ()
    return CheckpointIndex(
        path=prefix, format=FORMAT_OBJECT_BASED if graph else FORMAT_NAME_BASED,
        variables=variables, files=tuple(files), step=_step(prefix, entries, header.num_shards),
        all_checkpoints=all_checkpoints or (prefix,), objects=objects, notes=notes)


def inspect_checkpoint(path: str | os.PathLike, which: int | str = 0) -> CheckpointIndex:
    """Index the checkpoint at `path` (a prefix, a model_dir, a .weights.h5 ...).

    For a directory, `which` picks a checkpoint: 0 is the latest, 1 the one before, or a
    prefix from `index.all_checkpoints`. Reads metadata only.
    """
    located: Located = locate(path)
    chosen = located.checkpoints[which] if isinstance(which, int) else str(which)
    if located.kind == "h5":
        from ckptlab.checkpoint.reader_h5 import read_weights_h5

        return read_weights_h5(chosen, notes=located.notes)
    return read_bundle(chosen, located.checkpoints, located.notes)
