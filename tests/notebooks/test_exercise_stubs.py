"""Each exercise notebook, run as a learner first opens it: the stub runs, and the check
cell reports a failure with the code the exercise is about (not a crash of the check)."""

from __future__ import annotations

import html
import re
import shutil

import pytest

from ckptlab.exercises import EXERCISES
from tests.helpers.notebooks import REPO

# exercise id -> the finding code its untouched stub provokes in the check cell
STUB_CODES = {
    "estimator-first-model-fn": "MODE_ONLY_VARIABLE",
    "estimator-step-in-checkpoint": "GLOBAL_STEP_NOT_INCREMENTED",
    "estimator-stable-names": "NAME_DRIFT",
    "estimator-spec-per-mode": "MODEL_FN_SIGNATURE",
    "estimator-checkpoint-config": "NO_CHECKPOINT",
    "estimator-serving": "EXCESSIVE_RESTORE",
    "estimator-mode-consistency": "MODE_ONLY_VARIABLE",
    "estimator-training-state": "MISSING_UPDATE_OPS",
    "tf2-round-trip": "WRONG_CHECKPOINT_PATH",
    "keras-weights-files": "FORMAT_MISMATCH",
    "tf2-from-name-based": "OBJECT_PATH_MISMATCH",
}


def test_every_exercise_has_a_stub_expectation():
    assert set(STUB_CODES) == set(EXERCISES)


def _check_cell_text(notebook, scratch) -> str:
    import nbformat
    from nbclient import NotebookClient

    copy = scratch / notebook.name
    shutil.copy(notebook, copy)
    document = nbformat.read(copy, as_version=4)
    NotebookClient(document, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(scratch)}}).execute()
    (cell,) = [c for c in document.cells if c.metadata.get("nbgrader", {}).get("grade")]
    shown = "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs)
    return html.unescape(re.sub(r"<[^>]+>", " ", shown)).strip()  # the report as displayed


@pytest.mark.parametrize("exercise_id", sorted(STUB_CODES))
def test_stub_fails_with_the_exercise_code(exercise_id, tmp_path):
    exercise = EXERCISES[exercise_id]
    text = _check_cell_text(REPO / "exercises" / f"{exercise.notebook}.ipynb", tmp_path)
    assert text.startswith("FAIL"), text[:500]
    assert f"exercise {exercise_id}" in text and "Points: " in text
    assert f"/{exercise.total} (" in text
    assert STUB_CODES[exercise_id] in text, text[:1500]
    assert "CHECK_INTERNAL_ERROR" not in text and "TIMEOUT" not in text
