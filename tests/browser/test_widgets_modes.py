"""ModeExplorer in JupyterLab: three columns, the restore-plan switch, a variable picked."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.lab_page import (
    cell_errors,
    open_notebook_alone,
    run_all_cells,
    save_screenshot,
    stderr_outputs,
)

NOTEBOOK = Path(__file__).resolve().parent / "notebooks" / "mode_explorer.ipynb"
PLOT = "document.querySelector('.ckptlab-mode-explorer .js-plotly-plot')"
OP_TYPES = f"() => [...{PLOT}.data[0].y]"


def test_restore_plan_switch_and_variable_selection(jupyter, page):
    open_notebook_alone(page, jupyter, NOTEBOOK)
    run_all_cells(page)
    assert cell_errors(page) == []
    assert stderr_outputs(page) == []  # no TensorFlow noise, no warning
    explorer = page.locator(".ckptlab-mode-explorer")
    page.wait_for_selector(".ckptlab-mode-explorer .js-plotly-plot .barlayer", timeout=60_000)
    predict = explorer.locator(".ckptlab-mode-column-infer")
    assert "PREDICT" in predict.inner_text()
    assert "name shifted" in predict.inner_text()
    assert "silently swapped" not in predict.inner_text()

    switch = explorer.get_by_role("button", name="restore plan vs TRAIN checkpoint")
    switch.focus()
    switch.press("Space")  # keyboard
    predict.get_by_text("silently swapped").first.wait_for(timeout=30_000)
    assert "unused in checkpoint" in predict.locator("summary").first.inner_text()  # folded

    explorer.locator("select").first.select_option("dense/kernel")
    explorer.get_by_text("Pick a variable").wait_for(state="detached", timeout=30_000)
    assert "▶ dense/kernel" in predict.inner_text()

    all_types = page.evaluate(OP_TYPES)
    explorer.get_by_role("button", name="only in some modes").click()
    page.wait_for_function(f"() => ({OP_TYPES})().join() !== {','.join(all_types)!r}",
                           timeout=30_000)
    assert "ResourceApplyAdam" in page.evaluate(OP_TYPES)  # only TRAIN applies Adam
    explorer.evaluate("node => node.scrollIntoView()")  # taller than the window
    save_screenshot(page, "mode_explorer")
