"""Bad input gets a clear CkptlabError (CLI exit code 2), never a traceback or a hang,
and ckptlab never changes the checkpoint it reads."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from ckptlab.checkpoint import diff_checkpoints, inspect_checkpoint, read_value
from ckptlab.errors import CheckpointNotFoundError, CorruptCheckpointError, NotACheckpointError
from tests.helpers.checkpoints import checksums, make_object_checkpoint, make_tf1_model_dir


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    return make_tf1_model_dir(tmp_path_factory.mktemp("pristine"), steps=2)


@pytest.fixture
def model_dir(pristine, tmp_path):
    copy = tmp_path / "model_dir"
    shutil.copytree(pristine, copy)
    return copy


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ckptlab", *args], capture_output=True,
                          text=True, timeout=120)


def test_index_or_data_file_path_is_explained_and_accepted(model_dir):
    for name in ("model.ckpt-2.index", "model.ckpt-2.data-00000-of-00001", "model.ckpt-2.meta"):
        index = inspect_checkpoint(model_dir / name)
        assert index.path == str(model_dir / "model.ckpt-2")
        assert "prefix" in index.notes[0]
    result = run_cli("inspect", str(model_dir / "model.ckpt-2.index"))
    assert result.returncode == 0
    assert "name a checkpoint by its prefix" in result.stdout


def test_files_without_state_file_are_read_with_a_note(model_dir):
    (model_dir / "checkpoint").unlink()
    index = inspect_checkpoint(model_dir)
    assert index.step == 2 and "latest_checkpoint() would return None" in index.notes[0]


@pytest.mark.parametrize("make, error, words", [
    (lambda d: d / "missing", CheckpointNotFoundError, "Nothing exists"),
    (lambda d: d / "empty", CheckpointNotFoundError, "holds no checkpoint"),
    (lambda d: d / "notes.txt", NotACheckpointError, "is not a TensorFlow or Keras checkpoint"),
])
def test_missing_empty_and_foreign_paths(tmp_path, make, error, words):
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(error, match=words):
        inspect_checkpoint(make(tmp_path))
    result = run_cli("inspect", str(make(tmp_path)))
    assert result.returncode == 2
    assert words in result.stderr and "Traceback" not in result.stderr
    assert "Fix:" in result.stderr


def test_truncated_index(model_dir):
    index_file = model_dir / "model.ckpt-2.index"
    index_file.write_bytes(index_file.read_bytes()[:-20])
    with pytest.raises(CorruptCheckpointError, match="damaged"):
        inspect_checkpoint(model_dir / "model.ckpt-2")
    result = run_cli("inspect", str(model_dir))
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_garbage_index(model_dir):
    (model_dir / "model.ckpt-2.index").write_bytes(os.urandom(300))
    with pytest.raises(CorruptCheckpointError, match="cannot be decoded"):
        inspect_checkpoint(model_dir)


def test_truncated_data_file(model_dir):
    data_file = model_dir / "model.ckpt-2.data-00000-of-00001"
    data_file.write_bytes(data_file.read_bytes()[:40])
    with pytest.raises(CorruptCheckpointError, match="truncated"):
        inspect_checkpoint(model_dir)


def test_unreadable_index_never_hangs(model_dir):
    # root reads any file whatever its mode, so make the index unreadable another way:
    index_file = model_dir / "model.ckpt-2.index"
    index_file.unlink()
    index_file.mkdir()  # a directory where the file should be
    with pytest.raises(CorruptCheckpointError, match="not a regular file"):
        inspect_checkpoint(model_dir / "model.ckpt-2")
    index_file.rmdir()
    os.mkfifo(index_file)  # a FIFO: a naive open().read() would block forever
    result = run_cli("inspect", str(model_dir / "model.ckpt-2"))
    assert result.returncode == 2 and "not a regular file" in result.stderr


def test_chmod_000_when_not_root(model_dir):
    if os.geteuid() == 0:
        pytest.skip("root reads files whatever their mode; covered by the FIFO/dir case")
    index_file = model_dir / "model.ckpt-2.index"
    index_file.chmod(0)
    with pytest.raises(CorruptCheckpointError, match="cannot be read"):
        inspect_checkpoint(model_dir)


def test_reading_never_modifies_the_checkpoint(model_dir, tmp_path):
    objects = make_object_checkpoint(tmp_path / "objects")
    before = {**checksums(model_dir), **checksums(objects)}
    index = inspect_checkpoint(model_dir)
    for variable in index.variables:
        read_value(index, variable.key)
    diff_checkpoints(index.all_checkpoints[1], index.all_checkpoints[0])
    inspect_checkpoint(objects)
    for args in (["inspect", str(model_dir), "--json"], ["diff", str(model_dir / "model.ckpt-1"),
                 str(model_dir / "model.ckpt-2")], ["inspect", str(objects), "--values",
                 "model/dense1/_kernel"]):
        assert run_cli(*args).returncode == 0
    assert {**checksums(model_dir), **checksums(objects)} == before
