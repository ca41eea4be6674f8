"""Build a CheckpointIndex from a TF checkpoint bundle, reading metadata only."""

from __future__ import annotations

import os
import struct
from dataclasses import replace

from ckptlab.checkpoint.bundle import BundleEntry, BundleIndex, clip, data_file_name, decode_index
from ckptlab.checkpoint.locate import Located, locate, read_bytes
from ckptlab.checkpoint.objgraph import ObjectGraph, decode_object_graph
from ckptlab.checkpoint.records import (
    FORMAT_NAME_BASED,
    FORMAT_OBJECT_BASED,
    CheckpointIndex,
    FileInfo,
    VariableInfo,
)
from ckptlab.checkpoint.tensor_data import decode_strings, read_entry_bytes, slice_key
from ckptlab.checkpoint.wire import WireError
from ckptlab.errors import CorruptCheckpointError, UsageError
from ckptlab.scopes import (
    KIND_OPTIMIZER,
    OBJECT_GRAPH_KEY,
    classify,
    object_path,
    parent_scope,
    slot_of,
    step_of_prefix,
)

__all__ = ["corrupt", "inspect_checkpoint", "read_bundle", "stored_slices"]


def corrupt(prefix: str, problem: str) -> CorruptCheckpointError:
    """The error for a damaged checkpoint: `problem` names the file and the place."""
    return CorruptCheckpointError(
        f"The checkpoint '{prefix}' is damaged: {problem}.",
        why="The files were probably truncated or changed (an interrupted copy or save, a "
            "full disk, a bad disk) or belong to different saves; TensorFlow would refuse "
            "them too.",
        fix="Use another checkpoint of the run (e.g. the previous step) or copy the files "
            "again, all PREFIX.index and PREFIX.data-* files together.", received=prefix)


def _check_shards(prefix: str, bundle: BundleIndex) -> list[FileInfo]:
    """The data files, each checked to exist and to hold every range the index names."""
    num_shards = bundle.header.num_shards
    needed: dict[int, tuple[int, str]] = {}
    for entry in (*bundle.entries, *bundle.slices.values()):
        end = entry.offset + entry.size
        if end > needed.get(entry.shard, (0, ""))[0]:
            needed[entry.shard] = (end, entry.key)
    files = [FileInfo(os.path.basename(prefix) + ".index", os.path.getsize(prefix + ".index"))]
    for shard in range(num_shards):
        name = data_file_name(prefix, shard, num_shards)
        if not os.path.isfile(name):
            raise corrupt(prefix, f"its index names {num_shards:,} data file"
                                  f"{'s' if num_shards > 1 else ''} but "
                                  f"'{os.path.basename(name)}' is missing")
        size = os.path.getsize(name)
        end, key = needed.get(shard, (0, ""))
        if size < end:
            raise corrupt(prefix, f"'{os.path.basename(name)}' has {size:,} bytes but the "
                                  f"values of '{clip(key)}' end at byte {end:,} (truncated)")
        files.append(FileInfo(os.path.basename(name), size))
    return files


def stored_slices(bundle: BundleIndex, entry: BundleEntry) -> list[tuple[tuple, BundleEntry]]:
    """(extents, stored entry) of each slice of a partitioned variable, in its order."""
    found = []
    for extents in entry.slices:
        stored = bundle.slices.get(slice_key(entry.raw_key, extents))
        if stored is None or stored.dtype != entry.dtype:
            raise WireError(f"a slice of '{clip(entry.key)}' ({extents}) is missing from "
                            "the index")
        found.append((extents, stored))
    return found


def _nbytes(bundle: BundleIndex, entry: BundleEntry) -> int:
    if not entry.slices:
        return entry.size
    return sum(stored.size for _, stored in stored_slices(bundle, entry))


def _object_graph(prefix: str, entry: BundleEntry, num_shards: int) -> ObjectGraph:
    if entry.dtype != "string" or entry.shape != () or entry.slices:
        raise WireError(f"'{OBJECT_GRAPH_KEY}' is a {entry.dtype} of shape {entry.shape}, "
                        "not the one string TensorFlow saves")
    raw = read_entry_bytes(prefix, entry, num_shards)
    return decode_object_graph(decode_strings(raw, 1, entry.key, entry.crc32c, "")[0])


def _variable(entry: BundleEntry, nbytes: int, aliases: dict, slots: dict) -> VariableInfo:
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
    return VariableInfo(entry.key, entry.shape, entry.dtype, nbytes, kind, path,
                        owner, slot_of_path, slot, tuple(aliases.get(entry.key, ())))


def _step(prefix: str, entries: tuple[BundleEntry, ...], num_shards: int) -> int | None:
    for entry in entries:
        if (entry.key == "global_step" and entry.dtype == "int64" and entry.shape == ()
                and not entry.slices):
            return struct.unpack("<q", read_entry_bytes(prefix, entry, num_shards))[0]
    return step_of_prefix(prefix)


def _index(prefix: str, bundle: BundleIndex, all_checkpoints: tuple[str, ...],
           notes: tuple[str, ...]) -> CheckpointIndex:
    files = _check_shards(prefix, bundle)
    num_shards = bundle.header.num_shards
    entries = bundle.entries
    graph_entry = next((e for e in entries if e.key == OBJECT_GRAPH_KEY), None)
    graph = _object_graph(prefix, graph_entry, num_shards) if graph_entry else None
    aliases = graph.aliases_of_key() if graph else {}
    slots = graph.slot_owners() if graph else {}
    variables = [_variable(e, _nbytes(bundle, e), aliases, slots) for e in entries
                 if e.key != OBJECT_GRAPH_KEY]
    shown = {object_path(v.key): v.path for v in variables}
    variables = [replace(v, slot_of=shown.get(v.slot_of, v.slot_of)) for v in variables]
    objects = tuple((n.path, tuple(name for name, _ in n.children))
                    for n in graph.nodes if not n.is_variable) if graph else ()
    return CheckpointIndex(
        path=prefix, format=FORMAT_OBJECT_BASED if graph else FORMAT_NAME_BASED,
        variables=tuple(variables), files=tuple(files),
        step=_step(prefix, entries, num_shards),
        all_checkpoints=all_checkpoints or (prefix,), objects=objects, notes=notes)


def read_bundle(prefix: str, all_checkpoints: tuple[str, ...] = (),
                notes: tuple[str, ...] = ()) -> CheckpointIndex:
    """Index one TF checkpoint (PREFIX.index + PREFIX.data-*) without loading values."""
    data = read_bytes(prefix + ".index", "checkpoint index")
    try:
        bundle = decode_index(data)
    except WireError as error:
        raise corrupt(prefix, f"its .index file '{os.path.basename(prefix)}.index' cannot be "
                              f"decoded: {error}") from error
    try:
        return _index(prefix, bundle, all_checkpoints, notes)
    except WireError as error:
        raise corrupt(prefix, str(error)) from error


def inspect_checkpoint(path: str | os.PathLike, which: int | str = 0) -> CheckpointIndex:
    """Index the checkpoint at `path` (a prefix, a model_dir, a .weights.h5 ...).

    For a directory, `which` picks a checkpoint: 0 is the latest, 1 the one before, or a
    prefix from `index.all_checkpoints`. Reads metadata only.
    """
    located: Located = locate(path)
    if isinstance(which, int) and not -len(located.checkpoints) <= which < len(located.checkpoints):
        raise UsageError(f"There are {len(located.checkpoints)} checkpoints at '{path}', so "
                         f"which={which} picks none.",
                         fix="Use 0 for the latest, 1 for the one before, and so on.",
                         received=which)
    chosen = located.checkpoints[which] if isinstance(which, int) else str(which)
    if located.kind == "h5":
        from ckptlab.checkpoint.reader_h5 import read_weights_h5

        return read_weights_h5(chosen, notes=located.notes)
    return read_bundle(chosen, located.checkpoints, located.notes)
