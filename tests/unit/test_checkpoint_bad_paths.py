"""Bad paths that need no TensorFlow to provoke: clear errors, no hang."""

from __future__ import annotations

import os

import pytest

from ckptlab.checkpoint import inspect_checkpoint
from ckptlab.errors import CheckpointNotFoundError, CorruptCheckpointError, NotACheckpointError


def test_bad_paths(tmp_path):
    with pytest.raises(CheckpointNotFoundError, match="Fix:"):
        inspect_checkpoint(tmp_path / "nope")
    with pytest.raises(CheckpointNotFoundError, match="holds no checkpoint"):
        inspect_checkpoint(tmp_path)
    (tmp_path / "x.txt").write_text("not a checkpoint")
    with pytest.raises(NotACheckpointError):
        inspect_checkpoint(tmp_path / "x.txt")
    (tmp_path / "m.index").write_bytes(b"\0" * 100)
    with pytest.raises(CorruptCheckpointError, match="cannot be decoded"):
        inspect_checkpoint(tmp_path / "m")
    os.mkfifo(tmp_path / "f.index")
    with pytest.raises(CorruptCheckpointError, match="not a regular file"):
        inspect_checkpoint(tmp_path / "f")
