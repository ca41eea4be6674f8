"""ckptlab's plotly figures draw in Notebook 7 and Voila (JupyterLab: test_checkpoint_explorer
and below) with no plotly.js in any widget state: the page asks the kernel for it once, in a
custom message (widgets/figure.py), as these pages define no Plotly global of their own.

A figure shown by a cell that keeps the kernel busy gets plotly.js only when the cell ends:
anywidget drops every message of a model whose initialize takes over 2 s, so the figure's
loader must not wait for plotly.js there (it did, and the figure stayed empty)."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from tests.browser.test_widgets_check_report import run_all_in_notebook7
from tests.helpers.lab_page import (
    cell_errors,
    open_notebook,
    run_all_cells,
    save_screenshot,
    stderr_outputs,
)

NOTEBOOK = Path(__file__).resolve().parent / "notebooks" / "checkpoint_explorer.ipynb"
DRAWN = ".ckptlab-checkpoint-explorer .js-plotly-plot .slice"  # a treemap tile, drawn
PLOTLY_FROM = "() => globalThis.__ckptlabPlotlyFrom"
BUSY_CELL = """\
import time

from ckptlab.widgets.figure import FigureWidget

figure = FigureWidget(layout={"title": "Bars added while the kernel was busy",
                              "xaxis_title": "name", "yaxis_title": "count"})
display(figure)
time.sleep(4)  # the kernel answers the page's request for plotly.js only after this
figure.add_bar(x=["saved", "restored"], y=[3, 2]);  # no second view of it as Out[1]
"""
BARS = ".js-plotly-plot .barlayer .point"
KERNEL = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def test_a_figure_shown_by_a_busy_cell_draws_its_updates_in_jupyterlab(jupyter, page,
                                                                      tmp_path):
    notebook = tmp_path / "busy_kernel_figure.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(BUSY_CELL)],
                                            metadata={"kernelspec": KERNEL}), notebook)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(
        message.text))
    open_notebook(page, jupyter, jupyter.add(notebook))
    run_all_cells(page)
    page.wait_for_selector(BARS, timeout=60_000)
    assert page.locator(BARS).count() == 2
    assert cell_errors(page) == [] and stderr_outputs(page) == []
    assert not [text for text in errors if "anywidget" in text or "ckptlab" in text], errors


def test_figures_draw_in_notebook_7(jupyter, page, tmp_path):
    copy = tmp_path / "figures_notebook7.ipynb"
    shutil.copy(NOTEBOOK, copy)
    page.goto(f"{jupyter.url}notebooks/{jupyter.add(copy)}?token={jupyter.token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    assert page.locator("body[data-notebook='notebooks']").count() == 1  # Notebook 7
    run_all_in_notebook7(page)
    page.wait_for_selector(DRAWN, timeout=240_000)
    assert cell_errors(page) == [] and stderr_outputs(page) == []
    assert page.evaluate(PLOTLY_FROM) == "kernel"
    page.locator(DRAWN).first.scroll_into_view_if_needed()
    save_screenshot(page, "checkpoint_explorer_notebook7")


def test_figures_draw_in_voila(jupyter, page, tmp_path):
    copy = tmp_path / "figures_voila.ipynb"
    shutil.copy(NOTEBOOK, copy)
    # Voila streams the page while it runs the cells: "load" comes only at the end
    page.goto(f"{jupyter.url}voila/render/{jupyter.add(copy)}?token={jupyter.token}",
              wait_until="commit")
    page.wait_for_selector(DRAWN, timeout=480_000)
    assert cell_errors(page) == []
    stderr = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert stderr.all_inner_texts() == []
    assert page.evaluate(PLOTLY_FROM) == "kernel"
    save_screenshot(page, "checkpoint_explorer_voila")
