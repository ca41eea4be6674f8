"""Damaged and crafted checkpoints: each gets one exact message naming the file and the
place, through the library and through the CLI (exit 2, no traceback), and no file changes.

The inputs are copies of the committed real TF checkpoints (tests/fuzz/corpus), changed
byte by byte or re-sealed with valid checksums (tests/fuzz/tables.py) so each check is
reached on its own.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import google_crc32c
import pytest

from ckptlab.checkpoint import inspect_checkpoint, read_value
from ckptlab.checkpoint.records import CheckpointIndex, VariableInfo
from ckptlab.errors import CkptlabError, CorruptCheckpointError, UsageError
from ckptlab.render.checkpoint import index_text
from tests.fuzz.harness import checksums
from tests.fuzz.tables import encode_fields, rewrite_index, set_fields, shape_message

CORPUS = Path(__file__).resolve().parents[1] / "fuzz" / "corpus"
WHY = ("Why: The files were probably truncated or changed (an interrupted copy or save, a "
       "full disk, a bad disk) or belong to different saves; TensorFlow would refuse them too.")
FIX = ("Fix: Use another checkpoint of the run (e.g. the previous step) or copy the files "
       "again, all PREFIX.index and PREFIX.data-* files together.")


def damaged(prefix: Path, problem: str) -> str:
    return f"The checkpoint '{prefix}' is damaged: {problem}.\n{WHY}\n{FIX}\nReceived: '{prefix}'"


def undecodable(prefix: Path, problem: str) -> str:
    return damaged(prefix, f"its .index file '{prefix.name}.index' cannot be decoded: {problem}")


@pytest.fixture
def ckpt(tmp_path) -> Path:
    """A copy of the name-based corpus checkpoint; returns its prefix."""
    shutil.copytree(CORPUS / "name_based", tmp_path / "run")
    return tmp_path / "run" / "model.ckpt-1"


def index_of(prefix: Path) -> Path:
    return Path(f"{prefix}.index")


def data_of(prefix: Path) -> Path:
    return Path(f"{prefix}.data-00000-of-00001")


def message(path) -> str:
    with pytest.raises(CkptlabError) as caught:
        index = inspect_checkpoint(path)
        for variable in index.variables:
            read_value(index, variable.key)
    return str(caught.value)


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ckptlab", *args], capture_output=True,
                          text=True, timeout=60, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})


def masked(data: bytes) -> int:  # TensorFlow's crc32c::Mask, written out independently
    crc = google_crc32c.value(data)
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def test_a_flipped_bit_in_an_index_block_fails_its_checksum(ckpt):
    data = bytearray(index_of(ckpt).read_bytes())
    data[20] ^= 0x04  # inside the only data block, bytes 0-237
    index_of(ckpt).write_bytes(bytes(data))
    stored = struct.unpack_from("<I", data, 238)[0]  # after the block and its type byte
    computed = masked(bytes(data[:238]))
    expected = undecodable(ckpt, f"data block 1 of 1 (bytes 0-237) fails its checksum "
                                 f"(stored 0x{stored:08x}, computed 0x{computed:08x})")
    assert message(ckpt) == expected
    result = cli("inspect", str(ckpt))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"ckptlab inspect: {expected}\n"


def test_a_changed_value_in_the_data_file_fails_its_checksum(ckpt):
    data = bytearray(data_of(ckpt).read_bytes())
    data[40] ^= 0xFF  # model/dense/kernel: bytes 36-60
    data_of(ckpt).write_bytes(bytes(data))
    index = inspect_checkpoint(ckpt)  # metadata is intact
    with pytest.raises(CorruptCheckpointError) as caught:
        read_value(index, "model/dense/kernel")
    assert str(caught.value) == damaged(
        ckpt, f"the values of 'model/dense/kernel' (bytes 36-60 of {data_of(ckpt).name}) fail "
              f"their checksum (stored 0xaff1362e, computed 0x{masked(bytes(data[36:60])):08x})")
    result = cli("inspect", str(ckpt), "--values", "model/dense/kernel")
    assert result.returncode == 2 and "fail their checksum" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("dims, problem", [
    ([1 << 40, 1 << 40], "the shape of 'model/dense/kernel' has more than 2^62 elements"),
    ([(1 << 64) - 5], "the shape of 'model/dense/kernel' has a negative dimension (-5)"),
    ([1] * 300, "the shape of 'model/dense/kernel' has 300 dimensions (TensorFlow allows 254)"),
    ([1 << 20, 1 << 10], "the entry of 'model/dense/kernel' says 24 bytes for 1,073,741,824 "
                         "float32 values (4,294,967,296 bytes)"),
])
def test_shapes_are_checked_before_anything_is_allocated(ckpt, dims, problem):
    """TensorFlow 2.21 aborts the process (rc 134) on the first three (tests/tf)."""
    set_fields(index_of(ckpt), b"model/dense/kernel", {2: (2, shape_message(dims))})
    assert message(ckpt) == undecodable(ckpt, problem)


@pytest.mark.parametrize("fields, problem", [
    ({1: (0, 99)}, "the entry of 'model/dense/kernel' has dtype code 99, not a TensorFlow dtype"),
    ({1: (2, b"\x01")}, "field 1 (dtype) of the entry of 'model/dense/kernel' is "
                        "length-delimited bytes, not a varint"),
    ({5: (5, 24)}, "field 5 (size) of the entry of 'model/dense/kernel' is a fixed32, not a "
                   "varint"),
    ({3: (0, 7)}, "the entry of 'model/dense/kernel' points at data file 7 of 1"),
    ({4: (0, (1 << 64) - 1)}, "the entry of 'model/dense/kernel' has a negative offset or "
                              "size (-1, 24)"),
    ({6: (0, 5)}, "field 6 (crc32c) of the entry of 'model/dense/kernel' is a varint, not a "
                  "fixed32"),
])
def test_fields_are_checked_for_their_wire_type_and_range(ckpt, fields, problem):
    set_fields(index_of(ckpt), b"model/dense/kernel", fields)
    assert message(ckpt) == undecodable(ckpt, problem)


def test_an_offset_past_the_data_file(ckpt):
    set_fields(index_of(ckpt), b"model/dense/kernel", {4: (0, 1000)})
    assert message(ckpt) == damaged(
        ckpt, f"'{data_of(ckpt).name}' has 80 bytes but the values of 'model/dense/kernel' end "
              "at byte 1,024 (truncated)")


@pytest.mark.parametrize("num_shards, problem", [
    (1 << 40, "the entry of 'global_step' points at data file 0 of 0"),  # int32: 2^40 -> 0
    (1 << 31, "the bundle header is invalid (num_shards -2147483648, endianness 0)"),
])
def test_a_header_with_absurd_shard_counts_allocates_nothing(ckpt, num_shards, problem):
    set_fields(index_of(ckpt), b"", {1: (0, num_shards)})
    assert message(ckpt) == undecodable(ckpt, problem)


def test_a_header_naming_missing_data_files(ckpt):
    set_fields(index_of(ckpt), b"", {1: (0, 99_999)})
    assert message(ckpt) == damaged(ckpt, "its index names 99,999 data files but "
                                          "'model.ckpt-1.data-00000-of-99999' is missing")


def test_repeated_block_handles_are_refused(ckpt):
    from ckptlab.checkpoint.sstable import iterate_table
    from tests.fuzz.tables import write_table

    entries = list(iterate_table(index_of(ckpt).read_bytes()))
    index_of(ckpt).write_bytes(write_table(entries, repeat_handles=200))
    assert message(ckpt) == undecodable(
        ckpt, "data block 2 of 200 starts at byte 0, inside the block before it (blocks are "
              "written one after another)")


def test_repeated_or_unsorted_keys_are_refused(ckpt):
    rewrite_index(index_of(ckpt), lambda entries: entries.insert(2, entries[1]))
    assert message(ckpt) == undecodable(
        ckpt, "data block 1 of 1 repeats or reorders keys (TensorFlow writes each key once, "
              "sorted)")


def test_long_keys_repeated_for_a_few_bytes_each_are_refused(ckpt):
    from ckptlab.checkpoint.sstable import iterate_table
    from tests.fuzz.tables import write_table

    entries = list(iterate_table(index_of(ckpt).read_bytes()))
    long_key = b"model/" + b"x" * 60_000  # sorts after every real key
    entries += [(long_key + b"%05d" % i, entries[1][1]) for i in range(400)]
    index_of(ckpt).write_bytes(write_table(entries, block_entries=500, restart_interval=1000))
    size = index_of(ckpt).stat().st_size
    budget = 16 * size + (1 << 20)
    assert message(ckpt) == undecodable(
        ckpt, f"its keys add up to more than {budget:,} bytes, more than TensorFlow writes in "
              f"a {size:,}-byte table")


def test_a_truncated_string_tensor(tmp_path):
    shutil.copytree(CORPUS / "name_based", tmp_path / "run")
    prefix = tmp_path / "run" / "model.ckpt-1"
    set_fields(index_of(prefix), b"model/words", {5: (0, 12)})  # 13 bytes stored
    index = inspect_checkpoint(prefix)
    with pytest.raises(CorruptCheckpointError) as caught:
        read_value(index, "model/words")
    assert str(caught.value) == damaged(
        prefix, f"the string lengths of 'model/words' (bytes 67-79 of {data_of(prefix).name}) "
                "do not add up to its 12 bytes")


def test_a_resource_tensor_has_no_values(ckpt):
    set_fields(index_of(ckpt), b"model/dense/kernel", {1: (0, 20)})
    index = inspect_checkpoint(ckpt)
    with pytest.raises(UsageError) as caught:
        read_value(index, "model/dense/kernel")
    assert str(caught.value) == ("'model/dense/kernel' is a resource tensor: it has no values to "
                                 "show.\nFix: Pick a variable of a number or string dtype.\n"
                                 "Received: 'model/dense/kernel'")


def test_a_partitioned_variable_missing_a_slice(tmp_path):
    shutil.copytree(CORPUS / "partitioned", tmp_path / "run")
    prefix = tmp_path / "run" / "model.ckpt-1"
    rewrite_index(index_of(prefix), lambda entries: entries.pop(2))
    assert message(prefix) == damaged(
        prefix, "a slice of 'table' (((2, 2), (0, 2))) is missing from the index")


def test_the_object_graph_behind_a_valid_checksum_is_still_checked(tmp_path):
    from ckptlab.checkpoint.sstable import iterate_table
    from tests.fuzz.mutate import _set_entry
    from tests.fuzz.tables import string_tensor, write_table

    shutil.copytree(CORPUS / "object_based", tmp_path / "run")
    prefix = tmp_path / "run" / "ckpt-1"
    graph = encode_fields([(1, 2, encode_fields([(1, 2, encode_fields([(1, 0, 5), (2, 5, 1)]))]))])
    raw, crc = string_tensor([graph])
    data = data_of(prefix)
    offset = data.stat().st_size
    data.write_bytes(data.read_bytes() + raw)
    entries = list(iterate_table(index_of(prefix).read_bytes()))
    _set_entry(entries, b"_CHECKPOINTABLE_OBJECT_GRAPH", offset, len(raw), crc)
    index_of(prefix).write_bytes(write_table(entries))
    assert message(prefix) == damaged(
        prefix, "field 2 (local_name) of a child reference is a fixed32, not length-delimited "
                "bytes")


def test_the_state_file(tmp_path):
    run = tmp_path / "run"
    shutil.copytree(CORPUS / "name_based", run)
    (run / "checkpoint").write_bytes(b"x" * (2 << 20))
    assert message(run) == (
        f"The checkpoint state file '{run / 'checkpoint'}' has 2,097,152 bytes, more than the "
        "1,048,576 ckptlab reads (TensorFlow writes a few hundred).\nFix: Delete or rename it "
        "if it is not TensorFlow's (ckptlab then reads the checkpoint files directly), or pass "
        f"a checkpoint prefix.\nReceived: '{run / 'checkpoint'}'")
    (run / "checkpoint").write_bytes(b'model_checkpoint_path: "a\\000b"\n\xff\xfe\n')
    index = inspect_checkpoint(run)  # a NUL in a listed path: the line is skipped
    assert index.notes[0].startswith("The 'checkpoint' state file lists no existing checkpoint.")


def test_a_relative_path_to_a_run_with_absolute_state_file_paths(tmp_path):
    """The state file names the same directory in absolute form: no 'another directory' note."""
    run = tmp_path / "run"
    shutil.copytree(CORPUS / "name_based", run)
    (run / "checkpoint").write_text(f'model_checkpoint_path: "{run}/model.ckpt-1"\n'
                                    f'all_model_checkpoint_paths: "{run}/model.ckpt-1"\n')
    result = cli("inspect", "run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [f"checkpoint {run}/model.ckpt-1",
                                              "format name-based, step 0"]
    assert "note:" not in result.stdout and "another directory" not in result.stdout


def test_paths_with_nul_characters_and_bad_which(ckpt):
    with pytest.raises(UsageError) as caught:
        inspect_checkpoint("model\x00.ckpt")
    assert str(caught.value) == ("A checkpoint path must be text without NUL characters.\n"
                                 "Fix: Pass the path as a str, e.g. 'model_dir/model.ckpt-100'."
                                 "\nReceived: 'model\\x00.ckpt'")
    with pytest.raises(UsageError) as caught:
        inspect_checkpoint(ckpt.parent, which=3)
    assert str(caught.value) == (f"There are 1 checkpoints at '{ckpt.parent}', so which=3 picks "
                                 "none.\nFix: Use 0 for the latest, 1 for the one before, and "
                                 "so on.\nReceived: 3")


def test_keras_weights_h5_damaged_or_oversized(tmp_path):
    import h5py

    weights = tmp_path / "tiny.weights.h5"
    shutil.copy(CORPUS / "keras_h5" / "tiny.weights.h5", weights)
    with h5py.File(weights, "a") as handle:  # a dataset that claims 8 TB it does not hold
        handle.create_dataset("layers/dense/vars/2", shape=(1 << 20, 1 << 20), dtype="f8",
                              chunks=(1, 1024))
    index = inspect_checkpoint(weights)
    with pytest.raises(CorruptCheckpointError) as caught:
        read_value(index, "layers/dense/vars/2")
    size = weights.stat().st_size
    assert str(caught.value) == (
        f"The Keras weights file '{weights}' is damaged: 'layers/dense/vars/2' claims "
        f"8,796,093,022,208 bytes of values, more than the file's {size:,}.\nWhy: The HDF5 file "
        "is probably truncated or changed (an interrupted copy or save).\nFix: Save the weights "
        "again with model.save_weights('NAME.weights.h5') or copy the file again.\n"
        f"Received: '{weights}'")
    weights.write_bytes(weights.read_bytes()[:3000])
    text = message(weights)
    assert text.startswith(f"The Keras weights file '{weights}' is damaged: HDF5 cannot open it "
                           "(Unable to synchronously open file")
    assert text.endswith("Fix: Save the weights again with model.save_weights("
                         f"'NAME.weights.h5') or copy the file again.\nReceived: '{weights}'")


def test_a_1500_level_checkpoint_renders_as_text_within_bounds():
    index = inspect_checkpoint(CORPUS / "deep")
    lines = index_text(index).splitlines()
    assert lines[-1] == "total: 2 variables, 3 values, 12 B (weight: 2 (12 B))"
    deepest = [line for line in lines if "kernel" in line]
    assert deepest == [" " * 64 + "[level 1500] kernel  (2,) float32 8 B  [weight]"]
    assert max(len(line) for line in lines) < 200


def test_text_and_json_output_say_when_they_are_cut(tmp_path):
    many = CheckpointIndex("run/model.ckpt-1", "name-based", tuple(
        VariableInfo(f"scope/v{i:05d}", (2,), "float32", 8, "weight", f"scope/v{i:05d}")
        for i in range(6000)))
    lines = index_text(many).splitlines()
    assert lines[-3] == ("... 1,001 more lines not shown (the text view shows 5,000; --json, "
                         "or a filter in the CheckpointExplorer, shows all)")
    payload = many.to_dict(max_bytes=2_000)
    assert len(payload["variables"]) == 10
    assert payload["truncated"] == {"shown": 10, "total": 6000, "max_bytes": 2000,
                                    "reason": "the JSON would pass max_bytes"}
    assert "truncated" not in many.to_dict()


def test_reading_bad_inputs_never_changes_them(ckpt):
    set_fields(index_of(ckpt), b"model/dense/kernel", {2: (2, shape_message([1] * 300))})
    before = checksums(ckpt.parent)
    for args in (["inspect", str(ckpt)], ["inspect", str(ckpt), "--json"],
                 ["inspect", str(ckpt.parent), "--values", "model/dense/kernel"],
                 ["diff", str(ckpt), str(CORPUS / "name_based")]):
        result = cli(*args)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert "has 300 dimensions (TensorFlow allows 254)" in result.stderr
    assert checksums(ckpt.parent) == before


def test_a_key_100000_levels_deep_stays_within_memory(ckpt):
    """Each scope keeps its full path (depth^2 characters): past scopes.PATH_BUDGET the rest
    of the key is one name, so the commands stay within 2x the input + 50 MB."""
    from ckptlab.checkpoint.sstable import iterate_table
    from tests.fuzz.harness import OK, run_in_process
    from tests.fuzz.tables import write_table

    entries = list(iterate_table(index_of(ckpt).read_bytes()))
    deep_key = b"zz/" + b"/".join([b"s"] * 100_000) + b"/kernel"
    entries = [e for e in entries if e[0] != b"model/dense/kernel"]
    entries.append((deep_key, dict(iterate_table(index_of(CORPUS / "name_based" /
                                                          "model.ckpt-1").read_bytes()))
                    [b"model/dense/kernel"]))
    index_of(ckpt).write_bytes(write_table(entries))
    outcome = run_in_process(ckpt.parent, str(ckpt))
    assert outcome.status == OK, outcome.detail
    lines = index_text(inspect_checkpoint(ckpt)).splitlines()
    (leaf,) = [line for line in lines if "float32 24 B" in line]
    assert leaf.endswith("[level 4096] " + "s/" * 60 + "... (191,818 characters)  (3, 2) "
                         "float32 24 B  [weight]")
