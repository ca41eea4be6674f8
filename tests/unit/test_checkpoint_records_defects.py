"""Defects of the checkpoint layer found in issue 11, each pinned by a test that failed before.

- `dataclasses.replace` on a CheckpointIndex shared its key table with the original;
- choosing the object root of a dry-run restore rebuilt the lookup table once per
  variable (quadratic: 800 variables took 2.2 s).
"""

from __future__ import annotations

import dataclasses

from ckptlab.checkpoint import match
from ckptlab.checkpoint.records import FORMAT_OBJECT_BASED, CheckpointIndex, VariableInfo
from ckptlab.checkpoint.targets import BY_OBJECT_PATH, Target, VariableSpec


def _variable(path: str, shape=(2,)) -> VariableInfo:
    return VariableInfo(f"{path}/.ATTRIBUTES/VARIABLE_VALUE", shape, "float32", 8, "weight",
                        path)


def test_replace_gives_the_copy_its_own_key_table():
    index = CheckpointIndex("ckpt-1", FORMAT_OBJECT_BASED,
                            (_variable("model/a"), _variable("model/b")))
    only_a = dataclasses.replace(index, variables=(_variable("model/a"),))
    with_c = dataclasses.replace(index, variables=(*index.variables, _variable("model/c")))
    assert _variable("model/b").key not in only_a
    assert _variable("model/c").key not in index  # the original is not changed by a copy
    assert _variable("model/c").key in with_c
    assert len(index) == 2


def _wide_index(count: int) -> CheckpointIndex:
    variables = tuple(_variable(f"model/layer_{n}/kernel") for n in range(count))
    return CheckpointIndex("ckpt-1", FORMAT_OBJECT_BASED, variables,
                           objects=(("", ("model", "optimizer", "save_counter")),))


def test_picking_the_object_root_builds_one_lookup_table_per_candidate(monkeypatch):
    index = _wide_index(800)
    specs = tuple(VariableSpec(f"layer_{n}/kernel", (2,), "float32") for n in range(800))
    calls = []
    original = match._lookup

    def counting(*args):
        calls.append(args[2])
        return original(*args)

    monkeypatch.setattr(match, "_lookup", counting)
    report = match.match_restore(index, Target(specs, BY_OBJECT_PATH))
    assert report.root == "model" and report.ok and len(report.matched) == 800
    # one table per candidate root ("", model, optimizer, save_counter) + the final match
    assert sorted(calls) == sorted(["", "model", "optimizer", "save_counter", "model"])


def test_a_match_report_prints_as_its_text_view():
    from ckptlab.render.checkpoint import match_text

    report = match.match_restore(_wide_index(2), [("model/layer_0/kernel", (2,), "float32")])
    assert str(report) == match_text(report) and "missing" in str(report)
