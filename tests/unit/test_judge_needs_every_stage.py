"""The judge believes a staged Estimator run only with evidence of every stage: a later
stage that claims less than it should (its records left out, a claim of having trained
only) gets an error, never a pass; a path a claim names never leads the judge out of the
check's folder."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

from ckptlab.checker.assemble import build_report
from ckptlab.checker.judge import RESUME_DIR, judge
from ckptlab.checkpoint.load import inspect_checkpoint
from ckptlab.checkpoint.values import read_value

CHECKPOINT = Path(__file__).parents[1] / "fuzz" / "corpus" / "name_based"


def _staged_folders(tmp_path: Path) -> tuple[Path, Path, dict]:
    """A work folder and a vault as a real staged run leaves them, and the checkpoint's
    values as an honest session would report them."""
    work, vault = tmp_path / "work", tmp_path / "vault"
    shutil.copytree(CHECKPOINT, vault / "train" / "model_dir")
    shutil.copytree(CHECKPOINT, work / "model_dir")
    shutil.copytree(CHECKPOINT, work / RESUME_DIR)  # the resumed train() continues in a copy
    index = inspect_checkpoint(str(CHECKPOINT / "model.ckpt-1"))
    values = {v.key: np.asarray(read_value(index, v.key), np.float64).ravel().tolist()
              for v in index.variables if v.dtype.startswith("float") or v.dtype.startswith("int")}
    return work, vault, values


def _claims(values: dict, *, later_stages: bool) -> dict:
    est = {"model_dir": "model_dir", "model_fn_kind": "function",
           "train": {"session_runs": 5, "checkpoints": ["model.ckpt-1"], "assigned": [],
                     "trainable": sorted(values), "warm_start_from": "",
                     "end_values": values},
           # the model as saved, on the checker's probes (runners/probes)
           "probe": {"digest": "probes-1", "outputs": [[0.5]], "loaded": []}}
    if later_stages:
        est["restored"] = {"evaluate": values, "predict": values}
        est["predict"] = {"examples": 1, "largest_gap": 0.0, "outputs": [[[0.5]], [[0.5]]],
                          "fixed_outputs": [[[0.5]], [[0.5]]], "probe_digest": "probes-1"}
        est["resume"] = {"session_runs": 2, "start_values": values, "end_values": values}
        # the model the resume started from, on the same probes (its PREDICT graph)
        est["resume_probe"] = {"graph": "infer", "digest": "probes-1",
                               "outputs": [[[0.5]], [[0.5]]]}
    stages = ["train", "evaluate", "predict", "resume"] if later_stages else ["train"]
    return {"track": "estimator", "errors": [], "stages": stages, "estimator": est}


def test_every_stage_with_its_evidence_is_verified(tmp_path):
    work, vault, values = _staged_folders(tmp_path)
    judged = judge(_claims(values, later_stages=True), work, vault)["judged"]
    assert "unverified" not in judged, judged.get("unverified")
    assert any(line.startswith("evaluate after its restore") for line in judged["verified"])
    assert any(line.startswith("after the resume") for line in judged["verified"])


def test_later_stages_that_claim_only_training_are_an_error(tmp_path):
    work, vault, values = _staged_folders(tmp_path)
    judged = judge(_claims(values, later_stages=False), work, vault)
    assert judged["judged"]["unverified"] == [
        "evaluate: no record of the values its restore loaded",
        "predict: no record of the values its restore loaded",
        "predict: no outputs of the two predict() calls to compare",
        "resume: no record of the resumed training"]
    report = build_report(judged, "forged.py")
    assert report.verdict != "pass", report.codes()


def test_a_claimed_model_dir_outside_the_check_is_not_read(tmp_path):
    work, vault, values = _staged_folders(tmp_path)
    claims = _claims(values, later_stages=True)
    claims["estimator"]["model_dir"] = str(CHECKPOINT)  # a folder of the host, absolute
    judged = judge(claims, work, vault)["judged"]
    assert "checkpoints" not in judged
    assert judged["unverified"] == ["the judge could not read the checkpoints"]
    assert "leaves the check's folder" in judged["notes"][0]
    claims["estimator"]["model_dir"] = "../vault/train/model_dir"
    assert "leaves the check's folder" in judge(claims, work, vault)["judged"]["notes"][0]


def test_the_model_as_saved_left_unprobed_needs_a_reason_and_earns_nothing(tmp_path):
    """No outputs of the model as saved after an error-free training: unverified (an
    error) without a reason; with a claimed reason, a note, and the exercise check that
    rests on the comparison earns nothing (a reason is a claim the judge cannot verify)."""
    from ckptlab.checker.scoring import scored
    from ckptlab.exercises import get_exercise

    work, vault, values = _staged_folders(tmp_path)
    claims = _claims(values, later_stages=True)
    del claims["estimator"]["probe"]
    judged = judge(claims, work, vault)
    assert judged["judged"]["unverified"] == [
        "the model as saved: no record of its outputs on the checker's probes, and no "
        "reason why"]
    assert build_report(judged, "skipped.py").verdict != "pass"
    claims["estimator"]["not_compared"] = [
        {"where": "restore", "reason": "fixed_batch", "detail": "features['x'] (8, 4)"}]
    judged = judge(claims, work, vault)
    assert "unverified" not in judged["judged"]
    built = build_report(judged, "claimed.py", exercise="estimator-serving")
    report = scored(built)
    assert report.unjudged == ("OUTPUTS_DIFFER_AFTER_RESTORE",)
    assert report.case_points["deterministic"] == 0
    assert sum(report.case_points.values()) < get_exercise("estimator-serving").total
    assert any("fixed batch size" in n for n in report.notes)
    assert any(n.startswith("check 'deterministic' earns no points") for n in report.notes)
    assert scored(report).notes == report.notes  # scoring twice says it once
    unanswered = scored(dataclasses.replace(built, answered=False))
    assert not any("earns no points" in n for n in unanswered.notes)  # nothing to withhold


def test_the_resumed_model_left_unprobed_needs_a_reason_and_earns_nothing(tmp_path):
    """No outputs of the model the resumed train() started from after an error-free resume:
    unverified without a reason; with a claimed reason, OUTPUTS_DIFFER_AFTER_RESTORE is
    unjudged (even though predict()'s restore was compared) and its check earns nothing.
    Outputs that differ are the judge's own gap, never a claimed one."""
    from ckptlab.checker.scoring import scored

    work, vault, values = _staged_folders(tmp_path)
    claims = _claims(values, later_stages=True)
    del claims["estimator"]["resume_probe"]
    judged = judge(claims, work, vault)
    assert judged["judged"]["unverified"] == [
        "resume: no record of the restored model's outputs on the checker's probes, and no "
        "reason why"]
    assert build_report(judged, "skipped.py").verdict != "pass"
    claims["estimator"]["not_compared"] = [
        {"where": "resume", "reason": "fixed_batch", "detail": "features['x'] (8, 4)"}]
    judged = judge(claims, work, vault)
    assert "unverified" not in judged["judged"]
    assert judged["judged"]["saved_output_gap"] == 0.0
    report = scored(build_report(judged, "claimed.py", exercise="estimator-serving"))
    assert report.unjudged == ("OUTPUTS_DIFFER_AFTER_RESTORE",)
    assert report.case_points["deterministic"] == 0
    assert any(n.startswith("outputs after the resumed train()'s restore not compared "
                            "because the model needs a fixed batch size") for n in report.notes)
    claims = _claims(values, later_stages=True)  # a claimed gap is not read: outputs are
    claims["estimator"]["resume_probe"].update(outputs=[[[0.9]], [[0.9]]])
    judged = judge(claims, work, vault)["judged"]
    assert judged["resume_output_gap"] == pytest.approx(0.4 / 1.5)
    claims["estimator"]["resume_probe"].update(outputs=[[[0.9]], [[0.1]]])  # random: no gap
    judged = judge(claims, work, vault)["judged"]
    assert "resume_output_gap" not in judged
    assert any("gave other outputs on two runs" in n for n in judged["notes"])
    claims["estimator"]["probe"]["eval_outputs"] = [[0.5]]  # EVAL pairs it could compare
    claims["estimator"]["resume_probe"].update(graph="eval", outputs=[[[0.5]], [[0.5]]])
    judged = judge(claims, work, vault)  # a graph the runner never reports: not compared
    assert "resume_output_gap" not in judged["judged"]
    assert build_report(judged, "eval.py").unjudged == ("OUTPUTS_DIFFER_AFTER_RESTORE",)
