"""CheckReport from checker records (findings made by the catalog's make_finding)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ckptlab.checker.codes import CODES, make_finding
from ckptlab.checker.findings import Report
from ckptlab.errors import UsageError
from ckptlab.widgets.check_report import CheckReport


def codes(severity: str, count: int) -> list[str]:
    return [c for c, entry in CODES.items() if entry.severity == severity][:count]


def report() -> Report:
    error, warning = "NAME_DRIFT", codes("warning", 1)[0]
    findings = (
        make_finding(error, "EVAL restored 'dense/kernel' from the layer TRAIN called "
                     "'dense_1'.", "tf.compat.v1.layers.dense(x, 4, name='hidden')",
                     {"variables": ["dense/kernel", "dense/bias"], "eval loss": 11.9}),
        make_finding(warning, "train() never increased the global step.",
                     "minimize(loss, global_step=tf.compat.v1.train.get_global_step())"),
    )
    return Report("estimator", "model.py", findings, stages=("build", "train", "restore"))


def test_summary_line_counts_passes_and_failures():
    view = CheckReport(report())
    text = view.summary.value
    assert "FAIL" in text and "3 stages passed" in text and "1 error, 1 warning" in text
    clean = CheckReport(Report("tf2", "ok.py", (), stages=("save", "restore")))
    assert "PASS" in clean.summary.value and "no problems" in clean.summary.value
    assert "No problem found" in clean.notes.value and clean.shown == []
    stopped = Report("estimator", "model_fn", (make_finding(
        "LEARNER_EXCEPTION", "During evaluate, ...", "fix", {"stage": "evaluate"}),),
        stages=("train", "evaluate"))
    assert "failed at stage evaluate · 1 error" in CheckReport(stopped).summary.value


def test_cards_expand_and_hold_evidence_fix_and_link(monkeypatch):
    monkeypatch.chdir(Path(__file__).resolve().parents[2] / "exercises")  # a notebook's folder
    view = CheckReport(report())
    first, second = view.shown
    assert view.cards.titles[0].startswith(f"[error] {first}: ")
    assert view.expanded is None
    view.expand(second)
    assert view.cards.selected_index == 1 and view.expanded == second
    card = view.card_html(first)
    assert "<th" in card and "dense/kernel, dense/bias" in card and "11.9" in card
    assert "<pre" in card and "name=&#x27;hidden&#x27;" in card
    assert 'href="../tutorials/06_when_restores_go_wrong.ipynb#cell-id=name-drift"' in card
    view.collapse()
    assert view.expanded is None
    with pytest.raises(UsageError):
        view.expand("NOT_A_CODE")


def test_severity_filter_changes_the_cards():
    view = CheckReport(report())
    view.show_severity("warning")
    assert len(view.cards.children) == 1 and view.cards.titles[0].startswith("[warning]")
    view.severity_picker.value = "info"
    assert view.cards.children == ()
    with pytest.raises(UsageError):
        view.show_severity("fatal")


def test_from_dict_and_static_html_fallback():
    view = CheckReport(report().to_dict())
    page = view._repr_mimebundle_()["text/html"]
    assert page.count("<details") == 2 and "FAIL" in page
