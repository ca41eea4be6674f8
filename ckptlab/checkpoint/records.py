"""The checkpoint index: plain frozen records, no TensorFlow objects, JSON-ready.

JSON schema (`CheckpointIndex.to_dict()`, printed by `ckptlab inspect --json`):
{"schema": "ckptlab.checkpoint/1", "path": prefix or file, "format": "name-based" |
 "object-based" | "keras-h5", "step": int | null, "all_checkpoints": [prefix, ...]
 (latest first), "files": [{"name", "bytes"}], "totals": {"variables", "elements",
 "bytes", "by_kind": {kind: {"variables", "elements", "bytes"}}},
 "variables": [{"key", "path", "shape", "dtype", "elements", "bytes", "kind", "owner",
 "slot_of", "slot", "aliases"}]} with variables sorted by key; when the list was cut
 to a size, "truncated": {"shown", "total", "max_bytes", "reason"}.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from ckptlab.scopes import KINDS, ScopeNode, build_tree

__all__ = ["SCHEMA", "CheckpointIndex", "FileInfo", "VariableInfo", "bounded", "json_budget"]

SCHEMA = "ckptlab.checkpoint/1"
FORMAT_NAME_BASED = "name-based"
FORMAT_OBJECT_BASED = "object-based"
FORMAT_KERAS_H5 = "keras-h5"


@dataclass(frozen=True)
class VariableInfo:
    key: str  # the key in the checkpoint
    shape: tuple[int, ...]
    dtype: str  # numpy-style name: "float32", "int64", "string"...
    nbytes: int  # bytes stored in the checkpoint
    kind: str  # one of ckptlab.scopes.KINDS
    path: str  # where it sits in the tree: the name, or the object path
    owner: str = ""  # object-based: path of the object that holds it
    slot_of: str = ""  # optimizer slots: path of the variable the slot belongs to
    slot: str = ""  # optimizer slots: slot name ("m", "v", "0"...)
    aliases: tuple[str, ...] = ()  # object-based: every object path reaching it

    @property
    def elements(self) -> int:
        return math.prod(self.shape)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "path": self.path, "shape": list(self.shape),
                "dtype": self.dtype, "elements": self.elements, "bytes": self.nbytes,
                "kind": self.kind, "owner": self.owner, "slot_of": self.slot_of,
                "slot": self.slot, "aliases": list(self.aliases)}


@dataclass(frozen=True)
class FileInfo:
    name: str  # file name inside its directory
    nbytes: int


@dataclass(frozen=True)
class CheckpointIndex:
    """What one checkpoint holds, read from metadata only (no values)."""

    path: str  # the prefix (TF bundles) or the file (Keras .weights.h5)
    format: str
    variables: tuple[VariableInfo, ...]
    files: tuple[FileInfo, ...] = ()
    step: int | None = None
    all_checkpoints: tuple[str, ...] = ()  # every checkpoint of the directory, latest first
    objects: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (object path, child names)
    notes: tuple[str, ...] = ()  # what was accepted and how (e.g. a .index path given)
    # built from `variables` for each instance (init=False: a dataclasses.replace copy
    # gets its own table instead of sharing and extending the original's)
    _by_key: dict[str, VariableInfo] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {v.key: v for v in self.variables})

    def __len__(self) -> int:
        return len(self.variables)

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def variable(self, key: str) -> VariableInfo:
        """The variable with this key (KeyError naming close keys when absent)."""
        if key in self._by_key:
            return self._by_key[key]
        by_path = [v for v in self.variables if v.path == key]
        if len(by_path) == 1:
            return by_path[0]
        close = [v.key for v in self.variables if key.split("/")[-1] in v.key][:5]
        raise KeyError(f"no variable {key!r} in {self.path}; similar keys: {close}")

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(v.key for v in self.variables)

    def totals(self) -> dict[str, Any]:
        by_kind = {kind: {"variables": 0, "elements": 0, "bytes": 0} for kind in KINDS}
        for v in self.variables:
            entry = by_kind[v.kind]
            entry["variables"] += 1
            entry["elements"] += v.elements
            entry["bytes"] += v.nbytes
        return {"variables": len(self.variables),
                "elements": sum(v.elements for v in self.variables),
                "bytes": sum(v.nbytes for v in self.variables), "by_kind": by_kind}

    def tree(self) -> ScopeNode:
        """Scope tree (name-based) or object tree (object-based) with totals per subtree."""
        return build_tree((v.path, v.key, v.elements, v.nbytes) for v in self.variables)

    def to_dict(self, max_bytes: int | None = None) -> dict[str, Any]:
        """The JSON form; with `max_bytes`, variables stop once their JSON would pass it and
        "truncated" says how many were left out."""
        variables, cut = bounded([v.to_dict() for v in self.variables], max_bytes)
        payload = {"schema": SCHEMA, "path": self.path, "format": self.format,
                   "step": self.step, "all_checkpoints": list(self.all_checkpoints),
                   "notes": list(self.notes),
                   "files": [{"name": f.name, "bytes": f.nbytes} for f in self.files],
                   "totals": self.totals(), "variables": variables}
        if cut:
            payload["truncated"] = cut
        return payload


def json_budget(index_bytes: int) -> int:
    """Most bytes of JSON the commands print for a checkpoint whose index has this size:
    never less than 16 MB, and 64 bytes per index byte (real indexes need about 20)."""
    return max(16 << 20, 64 * index_bytes)


def bounded(items: list[dict[str, Any]], max_bytes: int | None
            ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The first `items` whose JSON fits in `max_bytes`, and what was cut (None: nothing)."""
    if max_bytes is None:
        return items, None
    used = 0
    for count, item in enumerate(items):
        used += len(json.dumps(item)) + 2
        if used > max_bytes:
            return items[:count], {"shown": count, "total": len(items), "max_bytes": max_bytes,
                                   "reason": "the JSON would pass max_bytes"}
    return items, None
