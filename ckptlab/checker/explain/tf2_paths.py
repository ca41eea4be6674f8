"""TF2 track diagnosers about where the checkpoint is and under which object paths."""

from __future__ import annotations

from ckptlab.checker.codes import make_finding
from ckptlab.checker.explain import diagnoser
from ckptlab.checker.explain.tf2 import RESTORE_APIS
from ckptlab.checker.findings import Finding
from ckptlab.checker.observations import CheckpointCall, Observations, SavedVariable
from ckptlab.scopes.names import KIND_STEP, split_scope

_KERAS_FILES = ("h5", "keras")


def _restore_calls(obs: Observations) -> list[CheckpointCall]:
    return [c for c in obs.tf2.restore_calls if c.api in RESTORE_APIS] if obs.tf2 else []


@diagnoser("tf2")
def wrong_checkpoint_path(obs: Observations) -> list[Finding]:
    if not obs.tf2:
        return []
    saved = obs.tf2.saved
    save_apis = sorted({c.api for c in obs.tf2.save_calls})
    findings = []
    for call in _restore_calls(obs):
        path = call.path
        index_file = bool(path) and path.endswith(".index")
        if path and call.path_exists is not False and not index_file:
            continue
        if path is None:
            what = (f"{call.api}() was called with None, so nothing was restored and no error "
                    "was raised.")
        elif index_file:
            what = (f"{call.api}() was given the index file {path!r}: TensorFlow 2.21 reads no "
                    "checkpoint at that path and raises nothing, so nothing was restored.")
        else:
            what = f"{call.api}() was given {path!r}, where no checkpoint exists."
        evidence = {"save() wrote": saved.path if saved else None,
                    "files in the directory": list(saved.files) if saved else [],
                    "checkpoint API used to save": save_apis}
        if "Checkpoint.write" in save_apis and "Checkpoint.save" not in save_apis:
            what += (" Checkpoint.write() does not update the 'checkpoint' state file, so "
                     "tf.train.latest_checkpoint(directory) finds nothing.")
        if index_file:
            fix = (f"Pass the checkpoint prefix, without .index: restore({path[:-6]!r}), or "
                   "tf.train.latest_checkpoint(directory).")
        else:
            fix = ("Save with checkpoint.save(prefix) and restore tf.train.latest_checkpoint() "
                   "of the folder save() wrote into (a CheckpointManager's directory), or "
                   "restore exactly the path that save() or write() returned.")
        findings.append(make_finding("WRONG_CHECKPOINT_PATH", what, fix, evidence))
    return findings[:1]


@diagnoser("tf2")
def format_mismatch(obs: Observations) -> list[Finding]:
    if not obs.tf2 or obs.failed("restore"):
        return []  # the exception raised while restoring is explained on its own
    fmt = obs.tf2.saved.format if obs.tf2.saved else None
    findings = []
    for call in _restore_calls(obs):
        reader_is_keras = call.api == "Model.load_weights"
        keras_file_read_by_tf = fmt in _KERAS_FILES and not reader_is_keras
        tf_prefix_read_by_keras = fmt == "tf-checkpoint" and reader_is_keras
        if keras_file_read_by_tf or tf_prefix_read_by_keras:
            findings.append(make_finding(
                "FORMAT_MISMATCH",
                f"save() wrote a {fmt} file but restore() read it with {call.api}().",
                "Read a checkpoint with the API that wrote it.",
                {"written": obs.tf2.saved.path, "read with": call.api}, track="tf2"))
    return findings[:1]


def _top_level(variables: tuple[SavedVariable, ...] | list[SavedVariable]) -> set[str]:
    return {split_scope(alias)[0] for v in variables for alias in v.aliases if alias}


@diagnoser("tf2")
def object_path_mismatch(obs: Observations) -> list[Finding]:
    trip = obs.tf2
    saved = trip.saved.variables if trip and trip.saved else ()
    wanted = [v for v in trip.restore_side if v.kind != KIND_STEP] if trip else []
    if not saved or not wanted:
        return []
    saved_paths = {alias for v in saved for alias in v.aliases}
    unmatched = [v for v in wanted if not saved_paths & set(v.aliases)]
    if not unmatched:
        return []
    if all(v.kind == "optimizer" for v in unmatched) and not any(
            v.kind == "optimizer" for v in saved):
        return []  # the optimizer was never saved: values_not_restored says so
    example = unmatched[0]
    saved_roots = sorted(_top_level([v for v in saved if v.kind != KIND_STEP]))
    restored_roots = sorted(_top_level(wanted))
    saved_names = {n for c in trip.save_calls for n in c.children}
    restored_names = {n for c in _restore_calls(obs) for n in c.children}
    if "(root)" in saved_names and "(root)" not in restored_names:
        fix = ("tf.train.Checkpoint(model) (positional) made the model itself the root when "
               "saving; restore the same way, tf.train.Checkpoint(model), or save with "
               "model=model and restore with model=model.")
    elif saved_names and restored_names and saved_names != restored_names:
        names = ", ".join(f"{n}=..." for n in sorted(saved_names - {"(root)"}))
        fix = (f"Restore with the attribute names used when saving: tf.train.Checkpoint({names})"
               f" (it restored under {', '.join(sorted(restored_names))}).")
    else:
        fix = ("Keep the layers' attribute names in the model class as they were when saving "
               "(a renamed attribute, e.g. self.hidden -> self.encoder, is another object path) "
               "or map the old paths when restoring.")
    return [make_finding(
        "OBJECT_PATH_MISMATCH",
        f"{len(unmatched)} of {len(wanted)} variables the restoring Checkpoint asks for have "
        f"no value in the checkpoint; e.g. {example.path} {list(example.shape)}.", fix,
        {"saved under": saved_roots, "restored under": restored_roots,
         "paths with no saved value": [v.path for v in unmatched]})]
