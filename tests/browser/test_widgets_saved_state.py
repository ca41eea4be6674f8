"""A notebook run with a ckptlab widget, saved, its kernel restarted and the page reloaded
shows the widget's last view again, not "Error displaying widget: model not found".

JupyterLab saves widget state into a notebook only when the setting `saveState` of
@jupyter-widgets/jupyterlab-manager:plugin is on (default off); `ckptlab lab` turns its
default on (ckptlab/commands/lab.py, lab_environment). The server here runs with that same
environment and fresh settings and workspace folders, so nothing but ckptlab's default
turns it on. The notebook is CheckpointExplorer's: ipywidgets controls, an anywidget
(ScopeTree) and ckptlab's plotly FigureWidget in one view.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from plotly.offline import get_plotlyjs, get_plotlyjs_version

from ckptlab.commands.lab import lab_environment
from tests.browser.conftest import ARTIFACTS, CHROMIUM
from tests.conftest import skip_or_fail
from tests.helpers.jupyter import start_jupyterlab
from tests.helpers.lab_page import (
    KERNEL_IDLE,
    PANEL,
    STALE_WIDGET,
    WIDGETS_SETTLED_JS,
    cell_errors,
    open_notebook,
    restart_kernel,
    run_all_cells,
    save_notebook,
    shut_down_kernels,
    stale_widget_outputs,
    stderr_outputs,
)

NOTEBOOK = Path(__file__).resolve().parent / "notebooks" / "checkpoint_explorer.ipynb"
ROOT = f"{PANEL} .ckptlab-checkpoint-explorer"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# where a figure of saved state, with no kernel to send it plotly.js, loads it from
# (ckptlab/widgets/figure.py LOADER): served here from the plotly package, as the CDN would
CDN = f"https://cdn.plot.ly/plotly-{get_plotlyjs_version()}.min.js"


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory):
    """JupyterLab as `ckptlab lab` starts it: ckptlab's JUPYTER_CONFIG_PATH."""
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is missing.", "apt-get install chromium (Debian).")
    env = lab_environment(dict(os.environ))
    server = start_jupyterlab(tmp_path_factory.mktemp("lab-config"),
                              env={"JUPYTER_CONFIG_PATH": env["JUPYTER_CONFIG_PATH"]})
    yield server
    try:
        shut_down_kernels(server)
    finally:
        server.stop()


def explorer_drawn(page, figure: bool = True) -> None:
    """The explorer's controls and its tree (anywidget) are drawn, and its figure (plotly)."""
    page.wait_for_selector(f"{ROOT} .widget-toggle-buttons", timeout=60_000)
    page.wait_for_selector(f"{ROOT} .ckptlab-tree [role=treeitem]", timeout=60_000)
    if figure:
        page.wait_for_selector(f"{ROOT} .js-plotly-plot .slice", timeout=120_000)


def reopen(page) -> None:
    """Reload the page (the notebook reopens from its file) and wait until the kernel is
    idle and no widget output still reads "Loading widget..."."""
    page.reload()
    page.wait_for_selector(f"{PANEL} .jp-Cell", timeout=60_000)
    page.wait_for_selector(KERNEL_IDLE, timeout=90_000)
    page.wait_for_function(WIDGETS_SETTLED_JS, timeout=60_000, polling=250)


def screenshot(page, name: str) -> None:
    explorer = page.locator(ROOT)
    explorer.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    explorer.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_a_saved_widget_shows_after_a_kernel_restart_and_reload(lab_server, page):
    name = lab_server.add(NOTEBOOK)
    open_notebook(page, lab_server, name)
    run_all_cells(page)
    assert cell_errors(page) == [] and stderr_outputs(page) == []
    explorer_drawn(page)
    rows = page.locator(f"{ROOT} .ckptlab-tree [role=treeitem]").all_text_contents()
    screenshot(page, "saved_state_1_ran")

    save_notebook(page)
    saved = json.loads((lab_server.workspace / name).read_text())
    state = saved["metadata"].get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    assert state, "the saved notebook holds no widget state"
    size = (lab_server.workspace / name).stat().st_size
    print(f"saved notebook: {size / 1e3:.0f} kB, {len(state)} widget models")

    # the kernel the widgets were made in is gone: restart it, then reopen the page
    restart_kernel(lab_server, name)
    # offline (plotly's CDN unreachable): every widget but the figure is drawn again
    page.route(CDN, lambda route: route.abort())
    reopen(page)
    assert stale_widget_outputs(page) == 0
    assert STALE_WIDGET not in page.locator(PANEL).inner_text()
    explorer_drawn(page, figure=False)
    assert page.locator(f"{ROOT} .ckptlab-tree [role=treeitem]").all_text_contents() == rows
    screenshot(page, "saved_state_2_reopened_offline")

    # online: the figure is drawn again too, with plotly.js from the CDN
    page.unroute(CDN)
    asked: list[str] = []
    page.route(CDN, lambda route: asked.append(route.request.url) or route.fulfill(
        body=get_plotlyjs(), content_type="text/javascript"))
    reopen(page)
    assert stale_widget_outputs(page) == 0
    explorer_drawn(page)
    assert asked == [CDN]
    assert page.locator(f"{ROOT} .ckptlab-tree [role=treeitem]").all_text_contents() == rows
    screenshot(page, "saved_state_3_reopened")
