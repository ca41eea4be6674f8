"""A report's verdict and findings read the same in the terminal, the page and the widget,
and the codes that mean "did not run" are one list (issue 11)."""

from __future__ import annotations

from ckptlab.checker.codes import make_finding
from ckptlab.checker.findings import Report
from ckptlab.exercises import RUNS
from ckptlab.outcome_codes import DID_NOT_RUN, INCOMPLETE, STOPPED
from ckptlab.render.report import finding_body_html, report_html, report_text, summary_html


def _report(code: str) -> Report:
    findings = (make_finding(code, "what happened", "the fix", {"stage": "train"}),) \
        if code else ()
    return Report("estimator", "model.py", findings)


def test_each_verdict_has_one_word_in_every_view():
    for code, word in (("", "PASS"), ("NAME_DRIFT", "FAIL"), ("TIMEOUT", "COULD NOT CHECK")):
        report = _report(code)
        assert report_text(report).startswith(f"{word}  model.py")
        assert f">{word}  model.py" in report_html(report)
        assert f">{word}</span>" in summary_html(report)


def test_the_page_shows_the_same_finding_card_as_the_widget():
    report = _report("NAME_DRIFT")
    card = finding_body_html(report.findings[0], badge=False)
    assert card in report_html(report)
    # the page's <summary> names the code; the card under it does not repeat it
    assert report_html(report).count("<code>NAME_DRIFT</code>") == 1
    assert "<code>NAME_DRIFT</code>" in finding_body_html(report.findings[0])  # the widget's


def test_a_not_answered_exercise_says_so_in_words():
    report = Report("estimator", "answer.py", exercise="estimator-serving", answered=False)
    assert report.verdict == "not_answered"
    assert report_text(report).startswith("NOT ANSWERED  answer.py")
    assert ">NOT ANSWERED</span>" in summary_html(report)


def test_did_not_run_codes_come_from_one_list():
    assert set(STOPPED) <= set(INCOMPLETE) and set(STOPPED) <= set(DID_NOT_RUN)
    assert RUNS == DID_NOT_RUN
    assert _report("CRASHED").verdict == "error" and _report("LEARNER_EXCEPTION").verdict == "fail"
