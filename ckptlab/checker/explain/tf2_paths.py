"""TF2 track diagnosers about where the checkpoint is and under which object paths."""

from __future__ import annotations

from ckptlab.checker.codes import make_finding
from ckptlab.checker.explain import diagnoser
from ckptlab.checker.explain.tf2 import RESTORE_APIS
from ckptlab.checker.findings import Finding
from ckptlab.scopes.names import KIND_STEP, split_scope

_KERAS_FILES = ("h5", "keras")


def _restore_calls(obs: dict) -> list[dict]:
    return [c for c in obs.get("restore_calls", []) if c["api"] in RESTORE_APIS]


@diagnoser("tf2")
def wrong_checkpoint_path(obs: dict) -> list[Finding]:
    saved = obs.get("saved", {})
    save_apis = sorted({c["api"] for c in obs.get("save_calls", [])})
    findings = []
    for call in _restore_calls(obs):
        path = call.get("path")
        if path and call.get("path_exists", True):
            continue
        if path is None:
            what = (f"{call['api']}() was called with None, so nothing was restored and no error "
                    "was raised.")
        else:
            what = f"{call['api']}() was given {path!r}, where no checkpoint exists."
        evidence = {"save() wrote": saved.get("path"), "files in the directory":
                    saved.get("files", []), "checkpoint API used to save": save_apis}
        if "Checkpoint.write" in save_apis and "Checkpoint.save" not in save_apis:
            what += (" Checkpoint.write() does not update the 'checkpoint' state file, so "
                     "tf.train.latest_checkpoint(directory) finds nothing.")
        findings.append(make_finding(
            "WRONG_CHECKPOINT_PATH", what,
            "Save with checkpoint.save(prefix) and restore "
            "tf.train.latest_checkpoint(directory), or restore exactly the path that write() "
            "returned.", evidence))
    return findings


@diagnoser("tf2")
def format_mismatch(obs: dict) -> list[Finding]:
    fmt = obs.get("saved", {}).get("format")
    if any(error["stage"] == "restore" for error in obs.get("errors", [])):
        return []  # the exception raised while restoring is explained on its own
    findings = []
    for call in _restore_calls(obs):
        reader_is_keras = call["api"] == "Model.load_weights"
        keras_file_read_by_tf = fmt in _KERAS_FILES and not reader_is_keras
        tf_prefix_read_by_keras = fmt == "tf-checkpoint" and reader_is_keras
        if keras_file_read_by_tf or tf_prefix_read_by_keras:
            findings.append(make_finding(
                "FORMAT_MISMATCH",
                f"save() wrote a {fmt} file but restore() read it with {call['api']}().",
                "Read a checkpoint with the API that wrote it.",
                {"written": obs["saved"].get("path"), "read with": call["api"]}, track="tf2"))
    return findings


def _top_level(variables: list[dict]) -> set[str]:
    return {split_scope(alias)[0] for v in variables for alias in v["aliases"] if alias}


@diagnoser("tf2")
def object_path_mismatch(obs: dict) -> list[Finding]:
    saved = obs.get("saved", {}).get("variables", [])
    wanted = [v for v in obs.get("compare", {}).get("restore_side", []) if v["kind"] != KIND_STEP]
    if not saved or not wanted:
        return []
    saved_paths = {alias for v in saved for alias in v["aliases"]}
    unmatched = [v for v in wanted if not saved_paths & set(v["aliases"])]
    if not unmatched:
        return []
    example = unmatched[0]
    saved_roots = sorted(_top_level([v for v in saved if v["kind"] != KIND_STEP]))
    restored_roots = sorted(_top_level(wanted))
    return [make_finding(
        "OBJECT_PATH_MISMATCH",
        f"{len(unmatched)} of {len(wanted)} variables the restoring Checkpoint asks for have "
        f"no value in the checkpoint; e.g. {example['path']} {example['shape']}.",
        "Attach objects to the restoring tf.train.Checkpoint with the attribute names used when "
        "saving (and keep layer attribute names unchanged in the model class).",
        {"saved under": saved_roots, "restored under": restored_roots,
         "paths with no saved value": [v["path"] for v in unmatched]})]
