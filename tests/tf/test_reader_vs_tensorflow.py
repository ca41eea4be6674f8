"""ckptlab's reader against TensorFlow's own: the same values from real checkpoints, the same
checksum verdicts on corrupted ones, and a clear refusal where TensorFlow aborts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from ckptlab.checkpoint import inspect_checkpoint, read_value
from ckptlab.checkpoint.wire import read_varint
from ckptlab.errors import CorruptCheckpointError
from tests.fuzz.tables import set_fields, shape_message

CORPUS = Path(__file__).resolve().parents[1] / "fuzz" / "corpus"
BUNDLES = ("name_based", "object_based", "sharded", "partitioned", "deep")


def _prefix(directory: Path) -> Path:
    return Path(str(next(directory.glob("*.index")))[: -len(".index")])


def _copy(seed: str, tmp_path: Path) -> Path:
    shutil.copytree(CORPUS / seed, tmp_path / seed)
    return _prefix(tmp_path / seed)


@pytest.mark.parametrize("seed", BUNDLES)
def test_every_value_equals_tensorflows(seed):
    prefix = _prefix(CORPUS / seed)
    index = inspect_checkpoint(prefix)
    reader = tf.train.load_checkpoint(str(prefix))
    listed = dict(tf.train.list_variables(str(prefix)))
    assert {v.key: list(v.shape) for v in index.variables} == {
        k: s for k, s in listed.items() if k != "_CHECKPOINTABLE_OBJECT_GRAPH"}
    for variable in index.variables:
        ours, theirs = read_value(index, variable.key), reader.get_tensor(variable.key)
        assert ours.shape == theirs.shape
        if theirs.dtype == object:
            assert ours.tolist() == theirs.tolist()
        else:
            assert ours.dtype == theirs.dtype, variable.key
            np.testing.assert_array_equal(ours, theirs)


def test_partitioned_slices_with_large_offsets(tmp_path):
    """Slice keys encode starts >= 64 in two bytes (OrderedCode); read like TensorFlow."""
    graph = tf.Graph()
    with graph.as_default():
        v1 = tf.compat.v1
        v1.get_variable("big", [300, 2], partitioner=v1.fixed_size_partitioner(3))
        saver = v1.train.Saver()
        with v1.Session(graph=graph) as session:
            session.run(v1.global_variables_initializer())
            prefix = saver.save(session, str(tmp_path / "model.ckpt"), write_meta_graph=False)
    index = inspect_checkpoint(prefix)
    assert [(v.key, v.shape, v.nbytes) for v in index.variables] == [("big", (300, 2), 2400)]
    np.testing.assert_array_equal(read_value(index, "big"),
                                  tf.train.load_checkpoint(prefix).get_tensor("big"))


def _footer_handles(index_bytes: bytes) -> tuple[int, int, int]:
    """(metaindex offset, index block offset, index block end with its trailer)."""
    footer = index_bytes[-48:]
    meta_offset, position = read_varint(footer, 0)
    _, position = read_varint(footer, position)
    index_offset, position = read_varint(footer, position)
    index_size, _ = read_varint(footer, position)
    return meta_offset, index_offset, index_offset + index_size + 5


@pytest.mark.parametrize("seed", BUNDLES)
def test_every_corrupted_index_block_is_refused_by_both(seed, tmp_path):
    """One flipped byte at 13 places of the data and index blocks: both refuse each one.
    Neither reads the (empty) metaindex block, so both accept a flip there."""
    prefix = _copy(seed, tmp_path)
    index_path = Path(f"{prefix}.index")
    index_bytes = index_path.read_bytes()
    meta_offset, index_offset, index_end = _footer_handles(index_bytes)
    places = [*np.linspace(0, meta_offset - 1, 10).astype(int),
              *np.linspace(index_offset, index_end - 1, 3).astype(int)]
    for place in places:
        damaged = bytearray(index_bytes)
        damaged[place] ^= 0x20
        index_path.write_bytes(bytes(damaged))
        with pytest.raises(tf.errors.OpError, match="block checksum mismatch"):
            tf.train.list_variables(str(prefix))
        with pytest.raises(CorruptCheckpointError, match="fails its checksum"):
            inspect_checkpoint(prefix)
    damaged = bytearray(index_bytes)
    damaged[meta_offset] ^= 0x20
    index_path.write_bytes(bytes(damaged))
    assert {v.key for v in inspect_checkpoint(prefix).variables} <= {
        name for name, _ in tf.train.list_variables(str(prefix))}


@pytest.mark.parametrize("key", ["model/dense/kernel", "model/words", "model/brain"])
def test_corrupted_values_are_refused_by_both(key, tmp_path):
    prefix = _copy("name_based", tmp_path)
    entry = next(e for e in inspect_checkpoint(prefix).variables if e.key == key)
    data = Path(f"{prefix}.data-00000-of-00001")
    offsets = {"model/dense/kernel": 40, "model/words": 79, "model/brain": 9}
    raw = bytearray(data.read_bytes())
    raw[offsets[key]] ^= 0x01
    data.write_bytes(bytes(raw))
    with pytest.raises(tf.errors.OpError, match="Checksum does not match"):
        tf.train.load_checkpoint(str(prefix)).get_tensor(key)
    with pytest.raises(CorruptCheckpointError, match="fail their checksum"):
        read_value(inspect_checkpoint(prefix), entry.key)


TF_READ = ("import os, sys; os.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'\n"
           "import tensorflow as tf\n"
           "tf.train.load_checkpoint(sys.argv[1]).get_tensor('model/dense/kernel')\n")


@pytest.mark.parametrize("fields, problem", [
    ({2: (2, shape_message([1 << 40, 1 << 40]))},
     "the shape of 'model/dense/kernel' has more than 2^62 elements"),
    ({2: (2, shape_message([(1 << 64) - 5]))},
     "the shape of 'model/dense/kernel' has a negative dimension (-5)"),
    ({2: (2, shape_message([1] * 300))},
     "the shape of 'model/dense/kernel' has 300 dimensions (TensorFlow allows 254)"),
    ({1: (0, 99)}, "the entry of 'model/dense/kernel' has dtype code 99, not a TensorFlow dtype"),
])
def test_crafted_indexes_that_abort_tensorflow_get_a_message(fields, problem, tmp_path):
    prefix = _copy("name_based", tmp_path)
    set_fields(Path(f"{prefix}.index"), b"model/dense/kernel", fields)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    theirs = subprocess.run([sys.executable, "-c", TF_READ, str(prefix)], capture_output=True,
                            text=True, timeout=300, env=env)
    assert theirs.returncode in (134, -6), theirs.stderr[-500:]  # SIGABRT: the kernel dies
    ours = subprocess.run([sys.executable, "-m", "ckptlab", "inspect", str(prefix), "--values",
                           "model/dense/kernel"], capture_output=True, text=True, timeout=120,
                          env=env)
    assert ours.returncode == 2 and ours.stdout == ""
    assert ours.stderr.splitlines()[0] == (
        f"ckptlab inspect: The checkpoint '{prefix}' is damaged: its .index file "
        f"'model.ckpt-1.index' cannot be decoded: {problem}.")
    assert "Traceback" not in ours.stderr
