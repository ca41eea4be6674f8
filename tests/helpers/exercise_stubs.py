"""What each exercise notebook shows when a learner first runs it, stub untouched: its
check cell reports a failure with the finding the exercise is about (not a crash of the
check).

Checked on the outputs of the run that executes the notebook anyway (tests/conftest.py
NOTEBOOK_RUNS: the browser run, Binder's headless run or the plain headless run, the most
thorough one collected), so each notebook is still executed once per suite.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from ckptlab.exercises import EXERCISES

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
_BY_NOTEBOOK = {f"exercises/{exercise.notebook}.ipynb": exercise
                for exercise in EXERCISES.values()}


def check_cell_text(cells) -> str:
    """The report of the (one) graded cell, as its HTML output displays it."""
    (cell,) = [c for c in cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    shown = "".join("".join(o.get("data", {}).get("text/html", ""))  # lines in a saved file
                    for o in cell.get("outputs", []))
    return html.unescape(re.sub(r"<[^>]+>", " ", shown)).strip()


def stub_problems(notebook: str | Path, cells) -> list[str]:
    """For an exercise notebook (path relative to the repository, or absolute in it) run
    as committed: what its check cell fails to show. [] for any other notebook."""
    relative = "/".join(Path(notebook).parts[-2:])
    exercise = _BY_NOTEBOOK.get(relative)
    if exercise is None:
        return []
    text = check_cell_text(cells)
    expected = {"a FAIL report": text.startswith("FAIL"),
                f"exercise {exercise.id}": f"exercise {exercise.id}" in text,
                "its points": "Points: " in text and f"/{exercise.total} (" in text,
                STUB_CODES[exercise.id]: STUB_CODES[exercise.id] in text,
                "no CHECK_INTERNAL_ERROR": "CHECK_INTERNAL_ERROR" not in text,
                "no TIMEOUT": "TIMEOUT" not in text}
    missing = [what for what, shown in expected.items() if not shown]
    return [f"the stub's check cell does not show {', '.join(missing)}: {text[:1500]}"] \
        if missing else []
