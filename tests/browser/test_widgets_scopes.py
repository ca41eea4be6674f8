"""ScopeExplorer in JupyterLab: an Estimator checkpoint against the EVAL graph."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.lab_page import (
    cell_errors,
    open_notebook_alone,
    run_all_cells,
    save_screenshot,
    stderr_outputs,
)

NOTEBOOK = Path(__file__).resolve().parent / "notebooks" / "scope_explorer.ipynb"
TREEMAP_TEXT = ("() => [...document.querySelector('.ckptlab-scope-explorer .js-plotly-plot')"
                ".data[0].text].filter(Boolean)")


def test_select_a_variable_and_filter_by_state(jupyter, page):
    open_notebook_alone(page, jupyter, NOTEBOOK)
    run_all_cells(page)
    assert cell_errors(page) == []
    assert stderr_outputs(page) == []  # no TensorFlow noise, no warning
    explorer = page.locator(".ckptlab-scope-explorer")
    page.wait_for_selector(".ckptlab-scope-explorer .js-plotly-plot .treemaplayer",
                           timeout=60_000)
    text = explorer.inner_text()
    assert "missing from checkpoint" in text and "silently swapped" in text
    assert "unused in checkpoint" in text

    picker = explorer.locator("select").first
    picker.focus()
    picker.select_option("dense/kernel")
    explorer.get_by_text("Pick a variable").wait_for(state="detached", timeout=30_000)
    assert "dense_1/kernel" in explorer.locator(".widget-html-content").nth(3).inner_text()
    save_screenshot(explorer, "scope_explorer")

    missing = explorer.get_by_role("button", name="missing", exact=True)
    missing.focus()
    missing.press("Enter")
    page.wait_for_function(f"() => ({TREEMAP_TEXT})().every(t => t === "
                           "'missing from checkpoint')", timeout=30_000)
    assert "eval_scale" in explorer.inner_text()
