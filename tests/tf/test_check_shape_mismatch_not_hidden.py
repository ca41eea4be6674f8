"""A silent shape change is reported even when another error mentions 'shape' (issue 11).

Before, the SHAPE_MISMATCH diagnoser stood down whenever ANY learner error contained the
word "shape" (meant: when the exception explainer already reports a shape mismatch), so
an unrelated serving error hid the silent restore with the checkpoint's old shape.
"""

from __future__ import annotations

from pathlib import Path

from ckptlab.checker.sandbox import Limits, check_file

SUBMISSION = (Path(__file__).resolve().parents[1] / "submissions" / "provoke"
              / "estimator_shape_change_and_shape_error.py")


def test_silent_shape_mismatch_survives_an_unrelated_error_about_a_shape():
    report = check_file(SUBMISSION, Limits(timeout=120, memory_mb=1500))
    assert "LEARNER_EXCEPTION" in report.codes()  # the serving error, "got shape (4, 4)"
    assert "SHAPE_MISMATCH" in report.codes(), report.codes()
    finding = next(f for f in report.findings if f.code == "SHAPE_MISMATCH")
    assert "hidden/kernel: [4, 8] -> [4, 16]" in str(dict(finding.evidence))
