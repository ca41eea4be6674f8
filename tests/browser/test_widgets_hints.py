"""Hints in JupyterLab: the button, focused and pressed with the keyboard, shows one more
hint per press and says when every hint is shown."""

from __future__ import annotations

from pathlib import Path

from ckptlab.exercises import EXERCISES
from tests.helpers.lab_page import (
    cell_errors,
    open_notebook_alone,
    run_all_cells,
    save_screenshot,
    stderr_outputs,
)

NOTEBOOK = Path(__file__).resolve().parent / "notebooks" / "hints.ipynb"
HINTS = EXERCISES["estimator-spec-per-mode"].hints


def test_reveal_hints_with_the_keyboard(jupyter, page):
    open_notebook_alone(page, jupyter, NOTEBOOK)
    run_all_cells(page)
    assert cell_errors(page) == []
    assert stderr_outputs(page) == []  # no TensorFlow noise, no warning
    widget = page.locator(".ckptlab-hints")
    button = widget.get_by_role("button", name=f"Show next hint (1 of {len(HINTS)})")
    button.wait_for(timeout=60_000)
    assert "Hint 1:" not in widget.inner_text()

    button.focus()
    page.keyboard.press("Enter")
    widget.get_by_text("Hint 1:").wait_for(timeout=30_000)
    assert "Hint 2:" not in widget.inner_text()

    for number in range(2, len(HINTS) + 1):
        next_button = widget.get_by_role("button", name=f"Show next hint ({number} of")
        next_button.focus()
        page.keyboard.press("Space")
        widget.get_by_text(f"Hint {number}:").wait_for(timeout=30_000)
    done = widget.get_by_role("button", name=f"All {len(HINTS)} hints shown")
    assert done.is_disabled()
    assert "PREDICT needs predictions" in widget.inner_text()
    save_screenshot(widget, "hints")
