"""CheckpointExplorer in JupyterLab: the slider moves through checkpoints and the heatmap
of the selected variable changes."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.lab_page import cell_errors, open_notebook, run_all_cells, save_screenshot

NOTEBOOK = Path(__file__).resolve().parent / "notebooks" / "checkpoint_explorer.ipynb"
PLOTTED_Z = "() => JSON.stringify(document.querySelector('.js-plotly-plot').data[0].z)"
TITLE = "() => document.querySelector('.js-plotly-plot .gtitle').textContent"


def test_slider_moves_through_checkpoints(jupyter, page):
    open_notebook(page, jupyter, jupyter.add(NOTEBOOK))
    run_all_cells(page)
    assert cell_errors(page) == []
    page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=60_000)
    before, title_before = page.evaluate(PLOTTED_Z), page.evaluate(TITLE)
    assert "model/dense/kernel" in title_before and "step 3" in title_before

    handle = page.locator(".widget-slider .noUi-handle").first
    handle.focus()
    handle.press("ArrowLeft")
    page.wait_for_function(f"() => ({TITLE})().includes('step 2')", timeout=30_000)
    assert page.evaluate(PLOTTED_Z) != before
    save_screenshot(page.locator(".jp-OutputArea").last, "checkpoint_explorer")
