"""The checker builds every mode with the learner's own input_fn (issue 11 defects).

Before: the mode tracer got the default {"x": ...} placeholders whatever input_fn the
learner wrote (model_fn failed on features["age"] in every mode: no structure evidence),
and the dataflow pass called input_fn() without mode/params and swallowed the TypeError,
so NAME_DRIFT could never fire for an input_fn(mode, params).
"""

from __future__ import annotations

from pathlib import Path

from ckptlab.checker.sandbox import Limits, check_file

SUBMISSION = (Path(__file__).resolve().parents[1] / "submissions" / "provoke"
              / "estimator_swap_with_own_input_fn.py")


def test_modes_and_dataflow_use_the_learners_input_fn():
    report = check_file(SUBMISSION, Limits(timeout=120, memory_mb=1500))
    assert "NAME_DRIFT" in report.codes(), report.codes()
    assert "LEARNER_EXCEPTION" not in report.codes()
    drift = next(f for f in report.findings if f.code == "NAME_DRIFT")
    assert dict(drift.evidence)["pairs"] == 2
