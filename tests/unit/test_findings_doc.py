"""docs/findings.md's "Codes" section is generated from the catalog and the golden texts.

Each code's entry: severity, track, title, why, tutorial link and the real texts the
checker printed for the submissions that provoke it (tests/tf/golden/check/ for the
catalogue's own submissions, tests/corpus/golden/ for the real-world corpus). So the
documentation cannot drift from what a learner sees. CKPTLAB_UPDATE_GOLDEN=1 rewrites it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ckptlab.checker.codes import CODES, ESTIMATOR_CODES, ESTIMATOR_VARIANTS, TF2_CODES

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "findings.md"
CHECK_GOLDEN = ROOT / "tests" / "tf" / "golden" / "check"
CORPUS = ROOT / "tests" / "corpus"
HEADING = "## Codes\n"
NO_EXAMPLE = {"CHECK_INTERNAL_ERROR": (
    "No example file: this code reports a problem in the checker itself or in how it was "
    "called (e.g. a file that defines neither `model_fn` nor `build_model`).")}


def _provoked() -> dict[str, str]:
    from tests.tf.test_check_golden import PROVOKED

    return PROVOKED


def _track(code: str) -> str:
    est, tf2 = code in ESTIMATOR_CODES, code in TF2_CODES
    return {(True, True): "Estimator and TF2 track", (True, False): "Estimator track",
            (False, True): "TF2 track"}.get((est, tf2), "any track")


def _examples(code: str) -> list[tuple[str, str]]:
    found = []
    for key, submission in sorted(_provoked().items()):
        golden = CHECK_GOLDEN / f"{key.replace('@', '.')}.txt"
        if key.split("@")[0] == code and golden.exists():
            found.append((os.path.normpath(f"tests/submissions/{submission}"), golden.read_text()))
    if found:
        return found
    cases = [json.loads(meta.read_text()) for meta in sorted((CORPUS / "cases").glob("*.json"))]
    cases = [c for c in cases if c["root_cause"]["code"] == code
             and (CORPUS / "golden" / f"{c['id']}.txt").exists()]
    for case in sorted(cases, key=lambda c: not c["cheap"])[:1]:  # the one CI checks
        golden = CORPUS / "golden" / f"{case['id']}.txt"
        found.append((f"tests/corpus/cases/{case['id']}.py", golden.read_text()))
    return found


def codes_section() -> str:
    parts = [HEADING]
    for code, entry in CODES.items():
        parts.append(f"\n### {code}\n\n*{entry.severity}*, {_track(code)}: {entry.title}.\n\n"
                     f"{entry.why}\n\nTutorial: `{entry.tutorial}`\n")
        if code in ESTIMATOR_VARIANTS:
            why, tutorial = ESTIMATOR_VARIANTS[code]
            parts.append(f"\nOn the Estimator track: {why}\n\nTutorial (Estimator track): "
                         f"`{tutorial}`\n")
        examples = _examples(code)
        for path, text in examples:
            parts.append(f"\nExample, `{path}`:\n\n```text\n{text}```\n")
        if not examples:
            parts.append(f"\n{NO_EXAMPLE.get(code, 'No example yet.')}\n")
    return "".join(parts)


def test_findings_doc_is_generated_from_the_catalog_and_golden_texts():
    text = DOC.read_text(encoding="utf-8")
    head = text.split(HEADING, 1)[0]
    expected = head + codes_section()
    if os.environ.get("CKPTLAB_UPDATE_GOLDEN") == "1":
        DOC.write_text(expected, encoding="utf-8")
    assert text == expected, "docs/findings.md is stale: rerun with CKPTLAB_UPDATE_GOLDEN=1"


def test_every_code_has_a_real_example():
    missing = [code for code in CODES if not _examples(code) and code not in NO_EXAMPLE]
    assert not missing, f"codes without a provoking submission and golden text: {missing}"
