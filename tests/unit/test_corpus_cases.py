"""The real-world corpus is data: every case complete, sourced, and the corpus big enough."""

from __future__ import annotations

import ast
from collections import Counter

import pytest

from ckptlab.checker.codes import CODES
from ckptlab.checker.submission import detect_track
from tests.corpus.corpus import CORRECT, FAULTY, TRACKS, fixed_source, load_cases

pytestmark = pytest.mark.unit
CASES = load_cases()


def test_the_corpus_has_enough_faulty_and_correct_programs():
    kinds = Counter(case.kind for case in CASES)
    assert kinds[FAULTY] >= 40 and kinds[CORRECT] >= 10
    assert {case.track for case in CASES} == set(TRACKS)
    # the CI budget: about 10 s each on a quiet machine (two at a time)
    assert sum(case.cheap for case in CASES) <= 24


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_each_case_is_complete(case):
    source = case.path.read_text(encoding="utf-8")
    ast.parse(source)
    expected_track = "estimator" if case.track == "estimator" else "tf2"
    assert detect_track(source) == expected_track
    assert case.source.startswith(("https://", "reference article")), case.source
    assert case.cause and case.behaviour["confirmed_on"]
    if case.kind == FAULTY:
        assert case.code in CODES
        assert case.behaviour.get("raises") or case.behaviour.get("note")
    else:
        assert case.code is None and not case.fix_mentions


@pytest.mark.parametrize("case", [c for c in CASES if c.kind == FAULTY and c.fix_apply],
                         ids=lambda case: case.id)
def test_each_fix_edit_applies_and_does_what_the_fix_says(case):
    """The edit is the fix the report gives: each old text is in the case once, the edited
    program parses, and the new text names what the first finding's fix must mention."""
    fixed = fixed_source(case)
    ast.parse(fixed)
    new_text = " ".join(new for _, new in case.fix_apply)
    assert any(text in new_text for text in case.fix_mentions), (case.fix_mentions, new_text)
