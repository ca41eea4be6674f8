"""Turn what a person typed into checkpoint locations, or a clear error.

Accepts a checkpoint prefix, the path of one of its `.index`/`.data-*`/`.meta` files, a
directory with a `checkpoint` state file (an Estimator model_dir, a CheckpointManager
directory), a directory of checkpoint files without a state file, and Keras 3
`.weights.h5` files.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from dataclasses import dataclass

from ckptlab.errors import (
    CheckpointNotFoundError,
    CorruptCheckpointError,
    NotACheckpointError,
    UsageError,
)
from ckptlab.scopes import step_of_prefix

__all__ = ["Located", "locate", "read_bytes"]

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_PART_SUFFIX = re.compile(r"\.(index|meta|data-\d{5}-of-\d{5})$")
_STATE_LINE = re.compile(r'^(model_checkpoint_path|all_model_checkpoint_paths):\s*"(.*)"\s*$')
STATE_FILE_LIMIT = 1 << 20  # TensorFlow's state files are a few hundred bytes


@dataclass(frozen=True)
class Located:
    kind: str  # "bundle" (TF .index/.data) or "h5" (Keras weights)
    checkpoints: tuple[str, ...]  # prefixes or files, latest first; [0] is inspected
    notes: tuple[str, ...] = ()  # explanations of what was accepted and how




def read_bytes(path: str, what: str, limit: int | None = None) -> bytes:
    """Read a whole file, refusing non-regular files (a FIFO would hang) and files over
    `limit` bytes with a clear error."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise CorruptCheckpointError(
                f"The {what} '{path}' is not a regular file, so it cannot be read.",
                fix="Point ckptlab at the checkpoint files TensorFlow wrote.", received=path)
        with open(path, "rb", opener=_nonblocking) as handle:
            info = os.fstat(handle.fileno())
            if limit is not None and info.st_size > limit:
                raise CorruptCheckpointError(
                    f"The {what} '{path}' has {info.st_size:,} bytes, more than the "
                    f"{limit:,} ckptlab reads (TensorFlow writes a few hundred).",
                    fix="Delete or rename it if it is not TensorFlow's (ckptlab then reads "
                        "the checkpoint files directly), or pass a checkpoint prefix.",
                    received=path)
            return handle.read()
    except OSError as error:
        raise CorruptCheckpointError(
            f"The {what} '{path}' exists but cannot be read ({error.strerror or error}).",
            fix="Check the file's permissions (e.g. chmod u+r) and that the disk is readable.",
            received=path) from error


def _nonblocking(path: str, flags: int) -> int:
    """Open without blocking, so a FIFO in place of a file is refused instead of hanging."""
    return os.open(path, flags | os.O_NONBLOCK)


def _unescape(value: str) -> str:
    """A text-proto string with its C escapes undone (as given when they are not valid)."""
    try:
        return codecs.escape_decode(value.encode("utf-8"))[0].decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return value


def _same_file(a: str, b: str) -> bool:
    return os.path.realpath(a + ".index") == os.path.realpath(b + ".index")


def _is_h5(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(8) == HDF5_SIGNATURE
    except OSError:
        return False


def _from_state_file(directory: str) -> tuple[list[str], list[str]]:
    state = os.path.join(directory, "checkpoint")
    latest, listed = None, []
    text = read_bytes(state, "checkpoint state file", STATE_FILE_LIMIT).decode("utf-8", "replace")
    for line in text.splitlines():
        match = _STATE_LINE.match(line.strip())
        if match and "\x00" not in (value := _unescape(match[2])):
            value = value if os.path.isabs(value) else os.path.join(directory, value)
            if match[1] == "model_checkpoint_path":
                latest = value
            else:
                listed.append(value)
    ordered = list(reversed(listed))
    if latest:
        ordered = [latest, *[p for p in ordered if p != latest]]
    notes = []
    for position, listed_path in enumerate(ordered):
        local = os.path.join(directory, os.path.basename(listed_path))
        if not _same_file(local, listed_path) and os.path.exists(local + ".index"):
            # a copied or moved model_dir: its state file still names the old place
            ordered[position] = local
            notes.append(f"The state file names '{listed_path}' (another directory, e.g. "
                         f"before a copy); ckptlab read the same file here, '{local}'.")
    present = [p for p in ordered if os.path.exists(p + ".index")]
    notes += [f"The state file lists '{p}' but its .index file is missing." for p in ordered
              if p not in present]
    return present, notes[:3]


def _listdir(directory: str) -> list[str]:
    try:
        return os.listdir(directory)
    except OSError as error:
        raise CheckpointNotFoundError(
            f"The directory '{directory}' cannot be listed ({error.strerror or error}).",
            fix="Check its permissions (e.g. chmod u+rx) or pass a checkpoint prefix.",
            received=directory) from error


def _prefixes_in(directory: str) -> list[str]:
    names = [n[: -len(".index")] for n in _listdir(directory) if n.endswith(".index")]
    names.sort(key=lambda n: (step_of_prefix(n) is None, -(step_of_prefix(n) or 0), n))
    return [os.path.join(directory, n) for n in names]


def _locate_directory(directory: str) -> Located:
    has_state = os.path.isfile(os.path.join(directory, "checkpoint"))
    if has_state:
        prefixes, notes = _from_state_file(directory)
        if prefixes:
            return Located("bundle", tuple(prefixes), tuple(notes))
    prefixes = _prefixes_in(directory)
    if prefixes:
        note = ("No 'checkpoint' state file here, so TensorFlow's latest_checkpoint() would "
                "return None; ckptlab read the checkpoint files directly, highest step first.")
        if has_state:
            note = "The 'checkpoint' state file lists no existing checkpoint. " + note
        return Located("bundle", tuple(prefixes), (note,))
    weights = sorted(n for n in _listdir(directory) if n.endswith(".h5"))
    if len(weights) == 1:
        return Located("h5", (os.path.join(directory, weights[0]),))
    raise CheckpointNotFoundError(
        f"The directory '{directory}' holds no checkpoint"
        + (f" (it has {len(weights)} .h5 files: pick one)." if weights else "."),
        why="A TensorFlow checkpoint is a set of files PREFIX.index + PREFIX.data-*; a "
            "model_dir also has a 'checkpoint' state file naming the latest one.",
        fix="Train or save first, or pass the directory or prefix TensorFlow wrote to.",
        received=directory)


def locate(path: str | os.PathLike) -> Located:
    """Where the checkpoint(s) named by `path` are, or a CkptlabError saying what to do."""
    path = os.fspath(path)
    if isinstance(path, bytes) or "\x00" in path:
        raise UsageError("A checkpoint path must be text without NUL characters.",
                         fix="Pass the path as a str, e.g. 'model_dir/model.ckpt-100'.",
                         received=path)
    if os.path.isdir(path):
        return _locate_directory(path)
    part = _PART_SUFFIX.search(path)
    if part and os.path.exists(path):
        prefix = path[: part.start()]
        note = (f"'{os.path.basename(path)}' is one file of a checkpoint; TensorFlow and "
                f"ckptlab name a checkpoint by its prefix, so ckptlab read '{prefix}'.")
        if not os.path.exists(prefix + ".index"):
            raise CorruptCheckpointError(
                f"'{path}' belongs to a checkpoint whose .index file is missing.",
                why="The .index file lists every variable; without it the data cannot be read.",
                fix="Copy the whole checkpoint (PREFIX.index and all PREFIX.data-* files).",
                received=path)
        return Located("bundle", (prefix,), (note,))
    if os.path.exists(path + ".index"):
        return Located("bundle", (path,))
    if os.path.isfile(path):
        if _is_h5(path):
            return Located("h5", (path,))
        raise NotACheckpointError(
            f"'{path}' is not a TensorFlow or Keras checkpoint.",
            fix="Pass a checkpoint prefix (PREFIX for PREFIX.index), a model_dir, or a "
                ".weights.h5 file.", received=path)
    parent = os.path.dirname(path) or "."
    nearby = _prefixes_in(parent)[:3] if os.path.isdir(parent) else []
    hint = f" Checkpoints next to it: {', '.join(nearby)}." if nearby else ""
    raise CheckpointNotFoundError(
        f"Nothing exists at '{path}' (no file, no directory, no '{path}.index').{hint}",
        fix="Check the path; for a model_dir pass the directory, for one checkpoint the "
            "prefix such as model_dir/model.ckpt-100.", received=path)
