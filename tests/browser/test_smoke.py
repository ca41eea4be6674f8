"""The browser fixture works end to end: a slider in JupyterLab redraws a plotly figure."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.lab_page import (
    cell_errors,
    open_notebook,
    run_all_cells,
    save_screenshot,
    stderr_outputs,
)

NOTEBOOK = Path(__file__).resolve().parent / "notebooks" / "smoke_widgets.ipynb"
PLOTTED_Y = "() => [...document.querySelector('.js-plotly-plot').data[0].y]"


def test_slider_changes_the_figure(jupyter, page):
    open_notebook(page, jupyter, jupyter.add(NOTEBOOK))
    run_all_cells(page)
    assert cell_errors(page) == []
    assert stderr_outputs(page) == []  # no TensorFlow noise, no warning
    page.wait_for_selector(".js-plotly-plot .scatterlayer .trace", timeout=60_000)
    before = page.evaluate(PLOTTED_Y)
    assert before == list(range(10))

    handle = page.locator(".widget-slider .noUi-handle").first
    handle.focus()
    handle.press("ArrowRight")
    page.wait_for_function(f"() => ({PLOTTED_Y})()[3] === 9", timeout=30_000)
    assert page.evaluate(PLOTTED_Y) == [x**2 for x in range(10)]
    assert "2" in page.locator(".widget-readout").first.inner_text()
    save_screenshot(page.locator(".jp-OutputArea").first, "smoke_widgets")
