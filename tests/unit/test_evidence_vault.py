"""Between stages the grader takes a stage's evidence out of the sandbox (warm._between):
later stages cannot read or rewrite it, and nothing the learner planted in it points back
into the work folder once taken."""

from __future__ import annotations

from ckptlab.checker.assemble import build_report
from ckptlab.checker.judge import judge
from ckptlab.checker.warm import _between


def _work(tmp_path):
    work, vault = tmp_path / "work", tmp_path / "vault"
    (work / "evidence" / "saved").mkdir(parents=True)
    (work / "evidence" / "saved" / "a.index").write_bytes(b"index")
    (work / "model_dir").mkdir()
    (work / "model_dir" / "checkpoint").write_text("model_checkpoint_path: 'm'\n")
    (work / "trained.ok").write_text("")
    (work / "note.txt").write_text("for the next stage")
    (work / "pretrained").mkdir()
    (work / "pretrained" / "p.index").write_bytes(b"p")
    return work, vault


def test_evidence_moves_out_and_the_spec_copies_what_it_names(tmp_path):
    work, vault = _work(tmp_path)
    _between({"name": "train", "vault": {"copy": ["model_dir"]}}, work, vault)
    assert not (work / "evidence").exists()
    assert (vault / "train" / "evidence" / "saved" / "a.index").read_bytes() == b"index"
    assert (vault / "train" / "model_dir" / "checkpoint").is_file()
    assert (work / "model_dir" / "checkpoint").is_file()  # copied: the next stage needs it
    assert (work / "note.txt").is_file()


def test_keep_leaves_only_what_a_restore_needs(tmp_path):
    work, vault = _work(tmp_path)
    _between({"name": "train", "vault": {"copy": ["model_dir"],
                                         "keep": ["model_dir", "trained.ok"]}}, work, vault)
    assert sorted(p.name for p in work.iterdir()) == ["model_dir", "trained.ok"]
    assert (vault / "train" / "note.txt").read_text() == "for the next stage"
    assert (vault / "train" / "pretrained" / "p.index").is_file()


def test_links_the_learner_planted_are_not_taken(tmp_path):
    work, vault = _work(tmp_path)
    (work / "later.index").write_bytes(b"rewritten by a later stage")
    (work / "evidence" / "link.index").symlink_to(work / "later.index")
    (work / "evidence" / "folder").symlink_to(work / "model_dir")
    _between({"name": "save"}, work, vault)
    taken = vault / "save" / "evidence"
    assert sorted(p.name for p in taken.iterdir()) == ["saved"]
    assert (work / "later.index").is_file()  # the link's target is left where it was


def test_claimed_checkpoints_the_model_dir_lacks_make_the_report_an_error(tmp_path):
    (tmp_path / "vault" / "train" / "model_dir").mkdir(parents=True)
    claims = {"track": "estimator", "errors": [], "stages": ["train", "evaluate", "predict"],
              "estimator": {"model_dir": "model_dir", "train": {
                  "session_runs": 5, "checkpoints": ["model.ckpt-0", "model.ckpt-5"]}}}
    judged = judge(claims, tmp_path / "work", tmp_path / "vault")
    assert judged["judged"]["contradicted"] == [
        "train() claims the checkpoints ['model.ckpt-0', 'model.ckpt-5'], the model_dir it "
        "left holds none"]
    report = build_report(judged, "forged.py")
    assert (report.verdict, report.codes()) == ("error", ["CHECK_INTERNAL_ERROR"])
    assert "contradicts what it left on disk" in str(report)


def test_a_stage_s_vault_folder_says_its_copy_was_taken(tmp_path):
    work, vault = tmp_path / "work", tmp_path / "vault"
    work.mkdir()
    _between({"name": "trace"}, work, vault)  # nothing to take, and still taken
    assert (vault / "trace").is_dir()


def test_no_contradiction_before_the_grader_took_train_s_copy(tmp_path):
    """A check stopped while train's group ran (its copy never taken): what train claimed
    is not contradicted by a model_dir the grader never copied."""
    (tmp_path / "vault" / "trace").mkdir(parents=True)
    claims = {"track": "estimator", "errors": [], "stages": ["trace modes", "train"],
              "estimator": {"model_dir": "model_dir", "train": {
                  "session_runs": 5, "checkpoints": ["model.ckpt-0", "model.ckpt-5"]}}}
    judged = judge(claims, tmp_path / "work", tmp_path / "vault")
    assert "contradicted" not in judged["judged"], judged["judged"]
