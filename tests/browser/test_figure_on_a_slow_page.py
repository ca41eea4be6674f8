"""A ckptlab figure draws and follows its updates on a slow page.

anywidget gives a model's `initialize` 2 s, then drops every update the kernel sends it
("[anywidget] Failed to initialize model." and a figure with empty axes). Importing
plotly.js takes longer than that on a slow or busy machine, so ckptlab's FigureWidget must
not wait for it there. The page is slowed down for real: Chromium's CPU throttling (the
DevTools protocol's Emulation.setCPUThrottlingRate), 8 times slower, from before the
figure exists until its cells have run.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers.lab_page import PANEL, cell_errors, open_notebook_alone, run_all_cells

NOTEBOOK = Path(__file__).resolve().parent / "notebooks" / "slow_page_figure.ipynb"
SLOWER = 8
DRAWN_JS = f"""() => {{ const plot = document.querySelector('{PANEL} .js-plotly-plot');
    return plot && plot.layout && plot.data
        ? [plot.layout.title && plot.layout.title.text, plot.data.map(t => t.name)] : null; }}"""


def test_the_figure_follows_every_update_on_a_slow_page(jupyter, page):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    open_notebook_alone(page, jupyter, NOTEBOOK)
    devtools = page.context.new_cdp_session(page)
    devtools.send("Emulation.setCPUThrottlingRate", {"rate": SLOWER})
    try:
        run_all_cells(page, timeout_ms=300_000)
    finally:
        devtools.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    page.wait_for_function(f"() => JSON.stringify(({DRAWN_JS})()) === "
                           "JSON.stringify(['second state', ['second']])", timeout=60_000)
    assert cell_errors(page) == []
    assert errors == []
