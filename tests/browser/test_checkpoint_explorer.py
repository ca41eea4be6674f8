"""CheckpointExplorer in JupyterLab: a variable picked in the tree (keyboard), then the
step slider moves through the checkpoints; the one figure follows both."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.lab_page import (
    cell_errors,
    open_notebook,
    run_all_cells,
    save_screenshot,
    stderr_outputs,
)

NOTEBOOK = Path(__file__).resolve().parent / "notebooks" / "checkpoint_explorer.ipynb"
ROOT = ".ckptlab-checkpoint-explorer"
PLOT = f"document.querySelector('{ROOT} .js-plotly-plot')"
PLOTTED_Z = f"() => JSON.stringify({PLOT}.data[0].z)"
TITLE = f"() => {PLOT}.querySelector('.gtitle').textContent"
MARKED_STEP = f"() => {PLOT}.data[3].x[0]"
TREE = f"{ROOT} .ckptlab-tree"
# the title lines (title, subtitle) that do not fit across the plot: plotly never wraps
# them, and the plot's SVG cuts what runs past its edge
TITLES_CUT = f"""() => {{ const plot = {PLOT}, edge = plot.getBoundingClientRect();
    return [...plot.querySelectorAll('.gtitle, .gtitle-subtitle')].filter(line => {{
        const box = line.getBoundingClientRect();
        return box.width > 0 && (box.left < edge.left || box.right > edge.right); }})
        .map(line => `${{line.textContent}} (${{Math.round(line.getBoundingClientRect().width)}}`
             + ` px in a ${{Math.round(edge.width)}} px plot)`); }}"""


def test_tree_pick_and_step_slider_update_the_figure(jupyter, page):
    open_notebook(page, jupyter, jupyter.add(NOTEBOOK))
    run_all_cells(page)
    assert cell_errors(page) == []
    assert stderr_outputs(page) == []  # no TensorFlow noise, no warning
    page.wait_for_function(f"() => {PLOT}?.data?.[0]?.type === 'treemap'",
                           timeout=120_000)  # the first plot of a loaded machine
    page.wait_for_selector(f"{ROOT} .js-plotly-plot .slice", timeout=30_000)  # drawn
    # plotly.js came from the kernel in a message (no widget state holds it): plotly's
    # labextension defines no Plotly global until it renders a plotly mime bundle itself
    assert page.evaluate("() => globalThis.__ckptlabPlotlyFrom") == "kernel"
    assert page.evaluate(TITLES_CUT) == []  # the sizes view, the one a learner sees first
    tree = page.locator(TREE)
    rows = tree.locator("[role=treeitem]").all_text_contents()
    assert any(row.startswith("\u25bemodel/[6 variables,") for row in rows), rows
    assert page.locator(f"{ROOT} .widget-readout").first.inner_text() == "3"

    # keyboard only: focus the tree, walk down to the first kernel row
    target = next(i for i, row in enumerate(rows) if row.startswith("kernel(6, 8)"))
    tree.focus()
    for _ in range(target):
        tree.press("ArrowDown")
    tree.press("Enter")
    page.wait_for_function(f"() => {PLOT}?.data?.[0]?.type === 'heatmap'", timeout=60_000)
    page.wait_for_function(f"() => ({TITLE})().includes('model/dense/kernel')", timeout=30_000)
    assert "step 3" in page.evaluate(TITLE) and page.evaluate(MARKED_STEP) == 3
    assert tree.locator("[aria-selected=true]").text_content().startswith("kernel(6, 8)")
    before = page.evaluate(PLOTTED_Z)

    handle = page.locator(f"{ROOT} .widget-slider .noUi-handle").first
    handle.focus()
    handle.press("ArrowLeft")
    page.wait_for_function(f"() => ({TITLE})().includes('step 2')", timeout=30_000)
    assert page.evaluate(PLOTTED_Z) != before
    assert page.evaluate(MARKED_STEP) == 2
    assert page.locator(f"{ROOT} .widget-readout").first.inner_text() == "2"
    assert page.evaluate(TITLES_CUT) == []
    save_screenshot(page.locator(".jp-OutputArea").last, "checkpoint_explorer")

    page.locator(f"{ROOT} .widget-toggle-button", has_text="diff").click()
    page.wait_for_function(f"() => ({TITLE})().includes('What changed')", timeout=30_000)
    assert page.evaluate(TITLES_CUT) == []
