"""LifecycleTimeline in JupyterLab: drawn live by a real Estimator, stepped, compared."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.lab_page import (
    cell_errors,
    open_notebook_alone,
    run_all_cells,
    save_screenshot,
    stderr_outputs,
)

NOTEBOOK = Path(__file__).resolve().parent / "notebooks" / "lifecycle_timeline.ipynb"
PLOT = "document.querySelector('.ckptlab-lifecycle-timeline .js-plotly-plot')"
RESTORES = f"() => {PLOT}?.data?.find(t => t.name.startsWith('restore'))?.x?.length"
TYPES = f"() => {PLOT}?.data?.map(t => t.type) ?? []"
DETAIL = ".widget-html-content"


def test_timeline_steps_and_compares_sessions(jupyter, page):
    open_notebook_alone(page, jupyter, NOTEBOOK)
    run_all_cells(page)
    assert cell_errors(page) == []
    assert stderr_outputs(page) == []  # no TensorFlow noise, no warning
    timeline = page.locator(".ckptlab-lifecycle-timeline")
    page.wait_for_selector(".ckptlab-lifecycle-timeline .js-plotly-plot .scatterlayer .trace",
                           timeout=60_000)
    page.wait_for_function(f"() => ({RESTORES})() === 3", timeout=30_000)
    assert "3 restores" in timeline.locator(DETAIL).first.inner_text()
    assert "Step 21 of 21" in timeline.locator(DETAIL).last.inner_text()

    back = timeline.get_by_role("button", name="◀ back")
    back.focus()
    back.press("Enter")  # keyboard, like a person without a mouse
    back.press("Enter")
    page.wait_for_function(f"() => ({RESTORES})() === 2", timeout=30_000)
    assert "Step 19 of 21" in timeline.locator(DETAIL).last.inner_text()
    assert "session created" in timeline.locator(DETAIL).last.inner_text()

    save_screenshot(timeline, "lifecycle_timeline")

    timeline.get_by_role("button", name="compare sessions").click()
    page.wait_for_function(f"() => ({TYPES})().join() === 'bar,bar,bar,bar'", timeout=30_000)
    restores = page.evaluate(f"() => [...{PLOT}.data.find(t => t.name === 'restores').x]")
    assert restores == [3, 1, 1]  # predict per example, one generator, SavedModel
    save_screenshot(timeline, "lifecycle_compare")
