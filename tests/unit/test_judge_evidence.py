"""Missing evidence is an error, never a pass: the judge does not believe a claimed run.

The claims below are what a forger sends on the stage's claims pipe (tests/helpers/attacks.py
does it for real in the sandbox): a finished run with no learner error, but no evidence
checkpoint in the scratch folder.
"""

from __future__ import annotations

from ckptlab.checker.assemble import build_report, timed_out
from ckptlab.checker.judge import judge

STAGES = ["build", "train", "save", "restore", "call restored model", "compare"]
FORGED_TF2 = {"track": "tf2", "errors": [], "stages": STAGES,
              "tf2": {"input_shape": [4], "value_gaps": [], "pairing": "position",
                      "saved_variables": [], "restored_variables": [], "output_diff": 0.0}}


def test_a_claimed_round_trip_without_evidence_is_an_error(tmp_path):
    judged = judge(FORGED_TF2, tmp_path)
    assert judged["judged"]["unverified"] == [
        "no readable checkpoint evidence/saved_model (the model as saved)",
        "no readable checkpoint evidence/restored_model (the model as restored)"]
    report = build_report(judged, "forged.py")
    assert report.verdict == "error"
    assert report.codes() == ["CHECK_INTERNAL_ERROR"]
    assert "evidence of your run is missing" in str(report)


def test_claims_without_any_track_record_are_an_error(tmp_path):
    for track, missing in (("tf2", "no record of the restored model's comparison"),
                           ("estimator", "no record of training")):
        judged = judge({"track": track, "errors": [], "stages": STAGES}, tmp_path)
        assert judged["judged"]["unverified"] == [missing]
        assert build_report(judged, "forged.py").verdict == "error"


def test_a_failing_run_is_explained_by_its_error_not_by_missing_evidence(tmp_path):
    obs = {"track": "tf2", "stages": ["build"], "errors": [
        {"stage": "train", "type": "ValueError", "message": "bad", "location": "a.py, line 3"}]}
    report = build_report(judge(obs, tmp_path), "wrong.py")
    assert (report.verdict, report.codes()) == ("fail", ["LEARNER_EXCEPTION"])


def test_a_stopped_run_says_why_it_stopped_not_that_evidence_is_missing(tmp_path):
    partial = {"track": "tf2", "errors": [], "stages": ["build", "train"]}
    report = build_report(judge(partial, tmp_path), "slow.py", [timed_out(partial, 5)])
    assert report.codes() == ["TIMEOUT"]
