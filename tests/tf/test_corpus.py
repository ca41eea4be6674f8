"""The real-world corpus (tests/corpus): root cause first, no false error, fixes that apply.

The cases marked cheap run here, two at a time (a fixed CI budget); `make corpus` runs
every case (CKPTLAB_CORPUS=all) and confirms each one's behaviour on real TensorFlow.
Under `make corpus`, each faulty case is checked again with its fix applied (fix.apply)
and must then have no error finding. The first finding of each faulty case is compared
with tests/corpus/golden/<id>.txt
(decimals masked); CKPTLAB_UPDATE_GOLDEN=1 rewrites the golden files.
"""

from __future__ import annotations

import os

import pytest

from tests.corpus.corpus import (
    CASES,
    FAULTY,
    check_all,
    fixed_problems,
    golden_text,
    load_cases,
    problems,
)

ALL = os.environ.get("CKPTLAB_CORPUS") == "all"
UPDATE = os.environ.get("CKPTLAB_UPDATE_GOLDEN") == "1"
SELECTED = [case for case in load_cases() if case.cheap or ALL]
GOLDEN = CASES.parent / "golden"


@pytest.fixture(scope="module")
def reports():
    return check_all(SELECTED, workers=2)


@pytest.mark.parametrize("case", SELECTED, ids=lambda case: case.id)
def test_root_cause_first_no_false_error_and_fixes_that_apply(reports, case):
    assert problems(case, reports[case.id]) == []


@pytest.mark.parametrize("case", [c for c in SELECTED if c.kind == FAULTY],
                         ids=lambda case: case.id)
def test_first_finding_matches_its_golden_text(reports, case):
    report = reports[case.id]
    assert report.findings, f"{case.id}: no finding"
    text = golden_text(report)
    golden = GOLDEN / f"{case.id}.txt"
    if UPDATE or not golden.exists():
        golden.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"golden file {golden.name} was missing and has been written; rerun")
    assert text == golden.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def fixed_reports():
    return check_all([c for c in SELECTED if c.kind == FAULTY], workers=2, fixed=True)


@pytest.mark.skipif(not ALL, reason="make corpus (CKPTLAB_CORPUS=all) checks the fixed programs")
@pytest.mark.parametrize("case", [c for c in SELECTED if c.kind == FAULTY],
                         ids=lambda case: case.id)
def test_the_fix_applied_to_the_code_makes_it_pass(fixed_reports, case):
    """The fix, done as its text says (fix.apply), gives a program with no error finding."""
    assert fixed_problems(case, fixed_reports[case.id]) == []
