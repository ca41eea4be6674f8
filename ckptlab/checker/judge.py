"""The trusted judge: facts from the checkpoints on disk, read with ckptlab's own reader.

It runs no learner code and imports no TensorFlow. Runners report what they saw (claims,
JSON); the judge opens every checkpoint they point at in the check's scratch folder and
establishes itself what was saved, what training changed, what a resumed session started
from and which values came back after a restore, pairing variables by identity (the key
in the checkpoint: a name or an object path). A positional pairing is only the explicit,
reported fallback when there is no evidence checkpoint to pair by.

Staged runs: the grader moves each stage's evidence (and copies what the stage spec asks,
e.g. the model_dir right after training) into a `vault` folder outside the sandbox as soon
as the stage's processes are dead, so a later stage can neither read nor rewrite it; the
judge reads evidence there. Every value a stage reports at a boundary (the session's
values after training, at the first step of evaluate, predict and the resumed training,
after the resume) is compared with the checkpoint it must equal; a claim the judge cannot
match with the disk, or a run that claims to have finished without evidence of its last
stage, is "unverified": an error, never a pass.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ckptlab.checker.not_compared import (
    WHERE_EVALUATE,
    WHERE_PREDICT,
    WHERE_RESTORE,
    WHERE_RESUME,
    note,
)
from ckptlab.checker.stage_names import ALL as ALL_STAGE
from ckptlab.checker.stage_names import RESTORE as RESTORE_STAGE
from ckptlab.checker.stage_names import SAVE as SAVE_STAGE
from ckptlab.checker.stage_names import TRAIN as TRAIN_STAGE
from ckptlab.checkpoint.load import inspect_checkpoint
from ckptlab.checkpoint.records import CheckpointIndex
from ckptlab.checkpoint.values import read_value
from ckptlab.mode_names import PREDICT
from ckptlab.scopes.names import KIND_OPTIMIZER, KIND_WEIGHT, base_name, step_of_prefix

__all__ = ["AFTER_TRAIN", "EVIDENCE", "MODEL_DIR", "OUTPUT_TOLERANCE", "PROBE_FILE", "RESUME_DIR",
           "TOLERANCE",
           "TRAINED_MARK", "checkpoint_prefixes", "evidence_path", "judge", "merged_claims",
           "merged_stages", "restored_by_other_name"]

TOLERANCE = 1e-5  # THE gap below which two values count as equal (judge, runners, diagnosers)
# relative, for model outputs computed two ways (in a batch vs one row at a time): float32
# matmuls of another shape round otherwise
OUTPUT_TOLERANCE = 1e-4
# THE layout of a check's work folder, which the runners write and the judge reads
EVIDENCE = "evidence"  # a stage's evidence; the grader moves it out after the stage
AFTER_TRAIN = f"{EVIDENCE}/after_train"  # model_dir as train() left it (in-kernel runs)
MODEL_DIR = "model_dir"  # the Estimator track's model_dir
RESUME_DIR = "resumed_model_dir"  # a copy of it the resumed train() continues in
TRAINED_MARK = "trained.ok"  # the train stage made its Estimator: later stages may run
PROBE_FILE = "probe.npz"  # the checker's probes, made by the trace stage (runners/probes)
_BATCH_NORM_INITIAL = {"moving_mean": 0.0, "moving_variance": 1.0}
_FLOATS = ("float16", "float32", "float64", "bfloat16")


def _open(prefix: Path) -> CheckpointIndex | None:
    if not Path(f"{prefix}.index").is_file():
        return None
    try:
        return inspect_checkpoint(str(prefix))
    except Exception:  # a damaged checkpoint is evidence of nothing
        return None


def _values(index: CheckpointIndex) -> dict[str, np.ndarray]:
    found = {}
    for variable in index.variables:
        if variable.dtype in _FLOATS or variable.key == "global_step":
            try:
                found[variable.key] = np.asarray(read_value(index, variable.key))
            except Exception:
                continue
    return found


def _gap(a: np.ndarray, b: np.ndarray) -> float | None:
    if a.shape != b.shape:
        return None
    return float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)))) if a.size else 0.0


def _staged(vault: Path | None) -> bool:
    """The run had stages of its own (not one process "all")."""
    return vault is not None and not (vault / ALL_STAGE).is_dir()


def evidence_path(scratch: Path, vault: Path | None, stage: str, relative: str) -> Path:
    """Where the judge reads `relative` as stage `stage` left it: the grader's copy in the
    vault (staged runs); in a run in one process its evidence/ (taken after it) or the
    work folder itself. A claimed path that leaves the check's folder is refused."""
    parts = Path(relative).parts
    if not parts or Path(relative).is_absolute() or ".." in parts:
        raise ValueError(f"a claimed path leaves the check's folder: {relative!r}")
    if _staged(vault):
        return vault / stage / relative
    if vault is not None and relative.split("/")[0] == EVIDENCE:
        return vault / ALL_STAGE / relative
    return scratch / relative


def checkpoint_prefixes(model_dir: str | Path) -> list[str]:
    """The checkpoints in a folder by step, as the judge itself finds them."""
    names = {p.name.removesuffix(".index") for p in Path(model_dir).glob("*.index")}
    return sorted(names, key=lambda name: (-1 if step_of_prefix(name) is None
                                           else step_of_prefix(name), name))


def restored_by_other_name(held: dict[str, Any], values: dict[str, np.ndarray]
                           ) -> dict[str, str]:
    """{variable: checkpoint key} for the variables a session holds with the checkpoint's
    value of ANOTHER key (a Saver mapping names, e.g. ema.variables_to_restore() loading
    'w/ExponentialMovingAverage' into w): restored from the checkpoint, not overwritten."""
    def equal(value: np.ndarray, mine: np.ndarray) -> bool:
        gap = _gap(value.astype(np.float64).ravel(), mine)
        return gap is not None and gap <= TOLERANCE

    found = {}
    for name, reported in sorted(held.items()):
        mine = np.asarray(reported, np.float64).ravel()
        if name not in values or not mine.size or equal(values[name], mine):
            continue
        other = [key for key, value in sorted(values.items())
                 if key != name and value.size == mine.size and equal(value, mine)]
        if other:
            found[name] = other[0]
    return found


def _session_gaps(claimed: dict[str, Any], index: CheckpointIndex,
                  values: dict[str, np.ndarray]) -> tuple[int, list[str]]:
    """(values compared, mismatches) between a session's reported values and a checkpoint
    (a value restored from another key of it is no mismatch: restored_by_other_name)."""
    compared, differ = 0, []
    renamed = restored_by_other_name(claimed, values)
    for name, reported in sorted(claimed.items()):
        if name not in values:
            continue
        compared += 1
        gap = _gap(values[name].astype(np.float64).ravel(), np.asarray(reported, np.float64))
        if name in renamed:
            continue
        if gap is None or gap > TOLERANCE:
            differ.append(f"{name} off by {'a shape' if gap is None else f'{gap:.3g}'}")
    return compared, differ


def _boundary(what: str, claimed: Any, prefix: str, index: CheckpointIndex | None,
              verified: list[str], unverified: list[str]) -> None:
    """One boundary: the values a stage reported must be those of checkpoint `prefix`."""
    if index is None:
        unverified.append(f"{what}: no readable checkpoint {prefix} to compare with")
        return
    compared, differ = _session_gaps(claimed if isinstance(claimed, dict) else {}, index,
                                     _values(index))
    if differ:
        unverified.append(f"{what}: the session held other values than {prefix} "
                          f"({'; '.join(differ[:3])}): something assigned them, or the "
                          "report is not true")
    elif not compared:
        unverified.append(f"{what}: no reported value pairs with {prefix}")
    else:
        verified.append(f"{what}: {compared} variable(s) equal to {prefix}")


def _outputs_gaps(predict: dict[str, Any]) -> None:
    """largest_gap and fixed_gap from the two predict() calls' own outputs; None (never a
    claimed number) without two. The runner's second output on its fixed input is the
    same session's repeat, or a new restore's when the learner's two calls differ."""
    for outputs, gap in (("outputs", "largest_gap"), ("fixed_outputs", "fixed_gap")):
        pair = predict.get(outputs) or []
        if len(pair) != 2:
            predict[gap] = None
            continue
        try:
            a, b = np.asarray(pair[0], float), np.asarray(pair[1], float)
        except (TypeError, ValueError):
            predict[gap] = None
            continue
        predict[gap] = float(np.max(np.abs(a - b))) if a.shape == b.shape and a.size else None


def _estimator_boundaries(obs: dict[str, Any], scratch: Path, model_dir: Path,
                          names: list[str]) -> tuple[list[str], list[str]]:
    """Every reported session value compared with the checkpoint it must equal."""
    est = obs["estimator"]
    failed = {e.get("stage") for e in obs.get("errors") or [] if isinstance(e, dict)}
    verified: list[str] = []
    unverified: list[str] = []
    latest = _open(model_dir / names[-1])
    if "train" not in failed:
        _boundary("after train", (est.get("train") or {}).get("end_values"), names[-1],
                  latest, verified, unverified)
    restored = est.get("restored") or {}
    for stage in ("evaluate", "predict"):
        if stage in failed:
            continue
        if stage in restored:
            _boundary(f"{stage} after its restore", restored[stage], names[-1], latest,
                      verified, unverified)
        else:  # a run without an error in this stage must show that it ran
            unverified.append(f"{stage}: no record of the values its restore loaded")
    predict = est.get("predict")
    if "predict" not in failed and (not isinstance(predict, dict)
                                    or len(predict.get("outputs") or []) != 2):
        unverified.append("predict: no outputs of the two predict() calls to compare")
    resume = est.get("resume")
    if not isinstance(resume, dict) and "resume" not in failed:
        unverified.append("resume: no record of the resumed training")
    if isinstance(resume, dict) and "resume" not in failed:
        _boundary("resume after its restore", resume.get("start_values"), names[-1], latest,
                  verified, [])  # a difference here is RESTORE_OVERWRITTEN (a finding)
        final_dir = evidence_path(scratch, None, "resume", RESUME_DIR)
        final = checkpoint_prefixes(final_dir)
        if final:
            _boundary("after the resume", resume.get("end_values"), final[-1],
                      _open(final_dir / final[-1]), verified, unverified)
        else:
            unverified.append("after the resume: no checkpoint left in the model_dir")
    return verified, unverified


def _estimator(obs: dict[str, Any], scratch: Path, vault: Path | None) -> dict[str, Any]:
    est = obs["estimator"]
    staged, after_train = _staged(vault), evidence_path(scratch, vault, ALL_STAGE,
                                                      AFTER_TRAIN)
    model_dir = evidence_path(scratch, vault, TRAIN_STAGE,
                              est.get("model_dir", MODEL_DIR))
    if not staged and after_train.is_dir():
        model_dir = after_train
    train = est.get("train") or {}
    # the checkpoints as the judge finds them after training (what train() claims, read
    # from its own copy when the grader took one)
    found = checkpoint_prefixes(model_dir) if staged else train.get("checkpoints", [])
    names = [n for n in found if _open(model_dir / n) is not None] if train else []
    judged: dict[str, Any] = {"checkpoints": names}
    claimed = sorted(train.get("checkpoints") or [])
    # (staged: only once the grader took train's copy, i.e. its group ended)
    if train and staged and (vault / TRAIN_STAGE).is_dir() and claimed != sorted(found):
        judged["contradicted"] = [
            f"train() claims the checkpoints {claimed or 'none'}, the model_dir it left holds "
            f"{sorted(found) or 'none'}"]
    if not names:
        return judged
    judged["verified"], judged["unverified"] = _estimator_boundaries(obs, scratch, model_dir,
                                                                     names)
    first, latest = _open(model_dir / names[0]), _open(model_dir / names[-1])
    values, initial = _values(latest), _values(first)
    judged["latest"] = names[-1]
    step = values.get("global_step")
    judged["global_step"] = int(step) if step is not None else None
    judged["saved_shapes"] = {v.key: list(v.shape) for v in latest.variables}
    kinds = {v.key: v.kind for v in latest.variables}
    stats = [n for n in values if base_name(n) in _BATCH_NORM_INITIAL]
    judged["batch_norm_total"] = len(stats)
    judged["batch_norm_unchanged"] = [n for n in stats if np.allclose(
        values[n], _BATCH_NORM_INITIAL[base_name(n)])]
    trainable = set(train.get("trainable", []))
    if names[0] != names[-1]:
        moved = any(_gap(values[n], initial[n]) for n in trainable if n in values
                    and n in initial)
        assigned = train.get("assigned")
        # state: non-trainable variables some op of the model writes, scalars too (a value
        # nothing writes rightly stays put: learning rates, Keras optimizers' beta_1...);
        # without that list, arrays only (scalars are mostly such hyperparameters)
        state = [n for n in values if n not in trainable and n in initial
                 and kinds.get(n) == KIND_WEIGHT and base_name(n) not in _BATCH_NORM_INITIAL
                 and (n in assigned if assigned is not None else values[n].ndim)]
        judged["never_updated"] = sorted(n for n in state if moved
                                         and _gap(values[n], initial[n]) == 0.0)
    start = (est.get("resume") or {}).get("start_values") or {}
    judged["overwritten_after_restore"] = _overwritten(start, values, kinds)
    failed = {e.get("stage") for e in obs.get("errors") or [] if isinstance(e, dict)}
    judged["overwritten_in"] = {
        stage: gaps for stage, held in sorted((est.get("restored") or {}).items())
        if stage in ("evaluate", "predict") and stage not in failed and isinstance(held, dict)
        and (gaps := _overwritten(held, values, kinds))}
    judged.update(_probe_facts(est, values, failed))
    if not failed and "probe" not in est and not judged.get("notes"):
        # an error-free training stands a probe run down only with a reason it names
        judged["unverified"].append("the model as saved: no record of its outputs on the "
                                    "checker's probes, and no reason why")
    if isinstance(est.get("probe"), dict) and isinstance(est.get("resume"), dict) \
            and "resume" not in failed and "resume_probe" not in est \
            and not _stood_down(est, (WHERE_RESUME, WHERE_RESTORE)):
        # an error-free resume shows the model it restored, or names why it could not
        judged["unverified"].append("resume: no record of the restored model's outputs on "
                                    "the checker's probes, and no reason why")
    source = train.get("warm_start_from")
    if source:
        warm = _warm_start(evidence_path(scratch, vault, TRAIN_STAGE, source), initial,
                           trainable)
        notes = [*judged.get("notes", []), *warm.pop("notes", [])]  # the probes' too
        judged.update(warm, notes=notes)
    return judged


def _overwritten(held: dict[str, Any], values: dict[str, np.ndarray],
                 kinds: dict[str, str]) -> list[dict[str, Any]]:
    """The weights a session held at its first step other than the checkpoint's."""
    found = []
    renamed = restored_by_other_name(held, values)
    for name, claimed in sorted(held.items()):
        if name in values and kinds.get(name) == KIND_WEIGHT and name not in renamed:
            gap = _gap(values[name].astype(np.float64).ravel(), np.asarray(claimed, np.float64))
            if gap is None or gap > TOLERANCE:
                found.append({"name": name, "max_abs_diff": gap})
    return found


def _output_gap(first: Any, second: Any) -> float | None:
    """Largest gap between two models' outputs on the same probes, relative to their size
    (OUTPUT_TOLERANCE applies to it); None when they cannot be compared."""
    try:
        a, b = np.asarray(first, np.float64), np.asarray(second, np.float64)
    except (TypeError, ValueError):
        return None
    if a.shape != b.shape or not a.size or a.ndim != 2:
        return None
    return float(np.max(np.abs(a - b)) / (1.0 + np.max(np.abs(a))))


def _stood_down(est: dict[str, Any], places: tuple[str, ...]) -> bool:
    """A runner claimed a stand-down (of a known reason) at one of `places`."""
    claimed = est.get("not_compared")
    return isinstance(claimed, list) and any(
        isinstance(c, dict) and c.get("where") in places
        and note(c.get("where"), c.get("reason")) is not None for c in claimed)


def _claimed_notes(est: dict[str, Any]) -> list[str]:
    """The stand-downs the runners recorded, worded by not_compared (known reasons only)."""
    claimed = est.get("not_compared")
    found = [note(c.get("where"), c.get("reason"), c.get("detail", ""))
             for c in claimed if isinstance(c, dict)] if isinstance(claimed, list) else []
    return [text for text in dict.fromkeys(found) if text]


def _compared(where: str, saved: Any, restored: Any, saved_digest: Any, digest: Any,
              held: Any, values: dict[str, np.ndarray], notes: list[str]) -> float | None:
    """The gap between the model as saved and as restored on the probes, or None and a
    note saying why not (not_compared: one wording for every stand-down)."""
    renamed = restored_by_other_name(held, values) if isinstance(held, dict) else {}
    if renamed:  # a Saver that maps names restores other values on purpose
        name, key = sorted(renamed.items())[0]
        notes.append(note(where, "renamed", f"{name} holds the value of {key}"))
        return None
    if not saved_digest or digest != saved_digest:
        notes.append(note(where, "other_probes"))
        return None
    gap = _output_gap(saved, restored)
    if gap is None:
        notes.append(note(where, "unlike"))
    return gap


def _repeated_gap(where: str, pairs: list[tuple[Any, Any, bool]], probe: dict[str, Any],
                  restored: dict[str, Any], held: Any, values: dict[str, np.ndarray],
                  notes: list[str], random_reason: str) -> float | None:
    """The largest gap between the model as saved and a model run twice in the restore
    stage (`pairs`: (saved outputs, the two runs, computed with the label probes)), or None
    and a note saying why not: no pair, two runs that disagree (a random graph is no
    evidence), other probes."""
    pairs = [(saved, runs, labelled) for saved, runs, labelled in pairs
             if saved and len(runs) == 2]
    if not pairs:
        failed = probe.get("eval_failed")  # the saved model's EVAL graph could not run
        notes.append(note(where, "failed", f"{failed} (the EVAL graph as saved)")
                     if failed else note(where, "eval_predictions"))
        return None
    repeats = [_output_gap(*runs) for _, runs, _ in pairs]
    if any(r is None for r in repeats):
        notes.append(note(where, "unlike"))
        return None
    if max(repeats) > OUTPUT_TOLERANCE:
        notes.append(note(where, random_reason, f"{max(repeats):.3g}"))
        return None
    if any(labelled for _, _, labelled in pairs) \
            and probe.get("labels_digest") != restored.get("labels_digest"):
        notes.append(note(where, "other_probes"))
        return None
    why: list[str] = []  # (one reason per pair: said once, notes are deduplicated)
    gaps = [_compared(where, saved, runs[0], probe.get("digest"), restored.get("digest"),
                      held, values, why) for saved, runs, _ in pairs]
    notes.extend(why)
    return None if None in gaps else max(gaps)


def _unsaved_differs(held: Any, other: Any, values: dict[str, np.ndarray],
                     probe: dict[str, Any]) -> list[str]:
    """Variables no checkpoint holds that the saved outputs read (when known) and that
    session `held` started with other values than session `other` held."""
    other = other if isinstance(other, dict) else {}
    read = set(probe.get("loaded") or [])  # what the outputs are computed from
    differs = []
    for name, value in sorted(held.items()) if isinstance(held, dict) else ():
        if name in values or name not in other or (read and name not in read):
            continue  # a checkpoint's value is checked against the checkpoint itself
        try:
            gap_of = _gap(np.asarray(value, np.float64).ravel(),
                          np.asarray(other[name], np.float64).ravel())
        except (TypeError, ValueError):
            gap_of = None
        if gap_of is None or gap_of > TOLERANCE:
            differs.append(name)
    return differs


def _eval_pairs(probe: dict[str, Any], restored: dict[str, Any]) -> list[tuple[Any, Any, bool]]:
    """The saved EVAL graph's outputs against a restored EVAL graph's two runs: predictions
    and loss (the loss computed with the label probes)."""
    return [(probe.get("eval_outputs"), restored.get("outputs") or [], False),
            (probe.get("eval_loss"), restored.get("loss") or [], True)]


def _evaluate_facts(est: dict[str, Any], probe: dict[str, Any], values: dict[str, np.ndarray],
                    notes: list[str]) -> dict[str, Any]:
    """The saved model's EVAL graph against the model evaluate() restored, on the same
    probes: its loss (probe labels) and its predictions where both stages have them, each
    restored one run twice (a random EVAL graph is no evidence); and the unsaved state
    evaluate()'s session held otherwise than predict()'s."""
    evaluated = est.get("evaluate_probe")
    if not isinstance(evaluated, dict):
        return {}
    held = (est.get("restored") or {}).get("evaluate")
    gap = _repeated_gap(WHERE_EVALUATE, _eval_pairs(probe, evaluated), probe, evaluated, held,
                        values, notes, "eval_random")
    if gap is None:
        return {}
    # set only in EVAL: another value at the start of evaluate()'s session than at the start
    # of predict()'s, the other fresh restore (the trained session's end values would count
    # every unsaved variable that training moved, e.g. a running mean, as set)
    differs = _unsaved_differs(held, (est.get("restored") or {}).get("predict"), values, probe)
    return {"evaluate_output_gap": gap, "evaluate_state_differs": differs}


def _resume_facts(est: dict[str, Any], probe: dict[str, Any], values: dict[str, np.ndarray],
                  notes: list[str]) -> dict[str, Any]:
    """The model as saved against the model the resumed train() started from, on the same
    probes (its PREDICT graph's predictions, run twice), and the unsaved state the resumed
    session started from otherwise than the trained session held at its end (the model as
    saved). A record of another graph is none the runner makes: not compared (unjudged)."""
    resumed = est.get("resume_probe")
    if not isinstance(resumed, dict) or resumed.get("graph") != PREDICT:
        return {}
    pairs = [(probe.get("outputs"), resumed.get("outputs") or [], False)]
    held = (est.get("resume") or {}).get("start_values")
    gap = _repeated_gap(WHERE_RESUME, pairs, probe, resumed, held, values, notes,
                        "resume_random")
    if gap is None:
        return {}
    differs = _unsaved_differs(held, (est.get("train") or {}).get("end_values"), values, probe)
    return {"resume_output_gap": gap, "resume_state_differs": differs}


def _probe_facts(est: dict[str, Any], values: dict[str, np.ndarray], failed: set
                 ) -> dict[str, Any]:
    """The model as saved (trace stage) against the models predict() and evaluate()
    restored (restore stage) and its own EVAL graph, on the checker's probes; the
    variables it used that no checkpoint holds (read here from the last checkpoint).
    Every comparison that stands down says why in a note."""
    notes = _claimed_notes(est)
    probe = est.get("probe")
    if not isinstance(probe, dict):
        return {"notes": notes}
    facts: dict[str, Any] = {}
    predict = est.get("predict") if isinstance(est.get("predict"), dict) else {}
    fixed = predict.get("fixed_outputs") or []
    if fixed and "predict" not in failed:
        facts["saved_output_gap"] = _compared(
            WHERE_PREDICT, probe.get("outputs"), fixed[0], probe.get("digest"),
            predict.get("probe_digest"), (est.get("restored") or {}).get("predict"), values,
            notes)
    if probe.get("eval_outputs"):
        facts["eval_predict_gap"] = _output_gap(probe.get("outputs"), probe["eval_outputs"])
    if "evaluate" not in failed:
        facts.update(_evaluate_facts(est, probe, values, notes))
    if "resume" not in failed:
        facts.update(_resume_facts(est, probe, values, notes))
    facts["unsaved_variables"] = sorted(str(name) for name in probe.get("loaded") or []
                                        if name not in values)
    facts["notes"] = [text for text in dict.fromkeys(notes) if text]
    return facts


def _warm_start(pretrained_dir: Path, initial: dict, trainable: set[str]) -> dict[str, Any]:
    prefixes = sorted(pretrained_dir.glob("*.index"), key=lambda p: p.stat().st_mtime)
    teacher = _open(Path(str(prefixes[-1]).removesuffix(".index"))) if prefixes else None
    if teacher is None:
        return {"notes": ["the pretrained checkpoint could not be read"]}
    taught = _values(teacher)
    shared = [n for n in sorted(trainable) if n in taught and n in initial
              and taught[n].shape == initial[n].shape]
    return {"warm_start_candidates": len(shared),
            "warm_start_matched": [n for n in shared if _gap(taught[n], initial[n]) == 0.0]}


def _paired(saved: CheckpointIndex, restored: CheckpointIndex) -> dict[str, Any]:
    """Value gaps between two evidence checkpoints, paired by key (object path)."""
    keep = (KIND_WEIGHT, KIND_OPTIMIZER)
    before = {v.key: v for v in saved.variables if v.kind in keep}
    after = {v.key: v for v in restored.variables if v.kind in keep}
    gaps = []
    for key in sorted(before.keys() & after.keys()):
        a, b = read_value(saved, key), read_value(restored, key)
        gap = _gap(np.asarray(a), np.asarray(b))
        if gap is None:
            gaps.append({"name": before[key].path, "before_shape": list(a.shape),
                         "after_shape": list(b.shape)})
        elif gap > TOLERANCE:
            gaps.append({"name": before[key].path, "max_abs_diff": gap})
    return {"gaps": gaps, "unpaired_saved": sorted(before[k].path for k in before.keys()
                                                   - after.keys()),
            "unpaired_restored": sorted(after[k].path for k in after.keys() - before.keys())}


def _tf2_evidence(scratch: Path, vault: Path | None, name: str) -> CheckpointIndex | None:
    """An evidence checkpoint as the stage that writes it left it ("saved_*": save)."""
    stage = SAVE_STAGE if name.startswith("saved") else RESTORE_STAGE
    return _open(evidence_path(scratch, vault, stage, f"{EVIDENCE}/{name}"))


def _tf2(trip: dict[str, Any], scratch: Path, vault: Path | None) -> None:
    """Replace the runner's positional comparison by one paired by identity, when it can."""
    saved = _tf2_evidence(scratch, vault, "saved_model")
    restored = _tf2_evidence(scratch, vault, "restored_model")
    if saved is not None and restored is not None and "value_gaps" in trip:
        paired = _paired(saved, restored)
        trip.update(value_gaps=paired["gaps"], pairing="identity",
                    unpaired_saved=paired["unpaired_saved"],
                    unpaired_restored=paired["unpaired_restored"])
    saved = _tf2_evidence(scratch, vault, "saved_optimizer")
    restored = _tf2_evidence(scratch, vault, "restored_optimizer")
    if saved is not None and restored is not None and "optimizer_gaps" in trip:
        trip["optimizer_gaps"] = _paired(saved, restored)["gaps"]


def _unverified(obs: dict[str, Any], scratch: Path, vault: Path | None) -> list[str]:
    """What the claims lack to be believed as a complete run: positive evidence of its last
    stage (the report uses it only when nothing else already rules out a pass)."""
    track = obs.get("track")
    if track == "tf2":
        trip = obs.get("tf2") or {}
        if "value_gaps" not in trip:
            return ["no record of the restored model's comparison"]
        return [f"no readable checkpoint {EVIDENCE}/{name} (the model as {name.split('_')[0]})"
                for name in ("saved_model", "restored_model")
                if _tf2_evidence(scratch, vault, name) is None]
    if track == "estimator" and not (obs.get("estimator") or {}).get("train"):
        return ["no record of training"]
    return []


def _pair_of(first: Any, second: Any) -> Any:
    """optimizer_types from two stages: ["Adam", ""] + ["", "SGD"] -> ["Adam", "SGD"]."""
    return [a or b for a, b in zip(first, second, strict=False)]


def merged_stages(stage_obs: list[dict[str, Any]]) -> dict[str, Any]:
    """One observation record from the records of stages run one after the other (in
    separate processes): errors, stages and log in order, a later stage's fields after."""
    merged: dict[str, Any] = {}
    for obs in stage_obs:
        if not isinstance(obs, dict):
            continue
        for key, value in obs.items():
            if key in ("errors", "stages", "log") and isinstance(value, list):
                # "load": each stage process loads the submission; a stage of its own only
                # when it failed (then it is in errors)
                merged[key] = [*merged.get(key, []), *(v for v in value if key == "errors"
                               or (v not in merged.get(key, []) and v != "load"))]
            elif key == "timings" and isinstance(value, dict):
                merged[key] = {**merged.get(key, {}), **value}
            elif isinstance(value, dict) and isinstance(merged.get(key), dict):
                part = dict(merged[key])
                for name, item in value.items():
                    if name == "optimizer_types" and name in part:
                        item = _pair_of(part[name], item)
                    elif name == "not_compared" and isinstance(part.get(name), list) \
                            and isinstance(item, list):  # every stage's stand-downs
                        item = [*part[name], *item]
                    elif name == "restored" and isinstance(part.get(name), dict) \
                            and isinstance(item, dict):  # {call: values} of every stage
                        item = {**part[name], **item}
                    part[name] = item
                merged[key] = part
            else:
                merged[key] = value
    return merged


def merged_claims(claims: list[dict[str, Any]], order: list[str] | None = None
                  ) -> dict[str, Any]:
    """The stages' last observations (each stage process's own claims) merged in the
    order of the stage list (`order`; stages that ran at the same time claim in any
    order), else in the order they first claimed."""
    last: dict[str, dict[str, Any]] = {}
    for claim in claims:
        if isinstance(claim.get("obs"), dict):
            last[str(claim.get("_stage"))] = claim["obs"]
    rank = {name: number for number, name in enumerate(order or [])}
    ordered = sorted(last, key=lambda name: rank.get(name, len(rank)))
    return merged_stages([last[name] for name in ordered])


def _outputs_gap(trip: dict[str, Any]) -> None:
    """output_diff from the outputs the two stages claimed on the same probe."""
    before, after = trip.get("saved_outputs"), trip.get("restored_outputs")
    if trip.get("output_diff") is not None or not before or not after:
        return
    a, b = np.asarray(before, np.float64), np.asarray(after, np.float64)
    trip["output_diff"] = float(np.max(np.abs(a - b))) if a.shape == b.shape else None


def _unsaved_state(trip: dict[str, Any]) -> None:
    """Names of the untracked tensors (no variables) that differ after the restore."""
    before, after = trip.get("saved_state") or {}, trip.get("restored_state") or {}
    differ = []
    for key in sorted(before.keys() & after.keys()):
        a, b = before[key], after[key]
        scale = 1.0 + abs(a.get("sumsq", 0.0))
        if a.get("shape") != b.get("shape") or any(
                abs(float(a.get(k, 0.0)) - float(b.get(k, 0.0))) > TOLERANCE * scale
                for k in ("sum", "sumsq")):
            differ.append(str(a.get("name") or key))
    trip["unsaved_state"] = differ


def judge(obs: dict[str, Any], scratch: str | Path, vault: str | Path | None = None
          ) -> dict[str, Any]:
    """The observations with `judged` facts added (JSON, Observations' shape). `vault`:
    the grader's copies of each stage's evidence (staged runs; see evidence_path)."""
    scratch = Path(scratch)
    vault = Path(vault) if vault is not None else None
    result = dict(obs)
    notes: list[str] = []
    unverified: list[str] = []
    try:
        if obs.get("estimator"):
            result["estimator"] = est = dict(obs["estimator"])
            if isinstance(est.get("predict"), dict):
                est["predict"] = dict(est["predict"])
                _outputs_gaps(est["predict"])
            result["judged"] = _estimator({**obs, "estimator": est}, scratch, vault)
        if obs.get("tf2"):
            result["tf2"] = dict(obs["tf2"])
            _outputs_gap(result["tf2"])
            _unsaved_state(result["tf2"])
            _tf2(result["tf2"], scratch, vault)
        unverified = [*_unverified(obs, scratch, vault),
                      *(result.get("judged") or {}).pop("unverified", [])]
    except Exception as error:  # the judge never breaks a report; it says what it could not do
        notes.append(f"the judge could not read the checkpoints ({type(error).__name__}: "
                     f"{error})")
        unverified = ["the judge could not read the checkpoints"]
    if notes or unverified:
        judged = result.get("judged", {})
        result["judged"] = {**judged, "notes": [*judged.get("notes", []), *notes],
                            "unverified": unverified}
    return result


