"""Drive a notebook in JupyterLab the way a person does: open it, run it, look at it."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
KERNEL_IDLE = "#jp-main-statusbar >> text=Idle"
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in front


def open_notebook(page, server, relative: str) -> None:
    """Open a notebook alone, in a workspace of its own.

    JupyterLab restores the tabs of earlier tests in its default workspace; their
    unexecuted cells would make run_all_cells wait forever. A named workspace opened
    with `reset` starts empty and holds only this notebook.
    """
    workspace = Path(relative).stem
    page.goto(f"{server.url}lab/workspaces/{workspace}/tree/{relative}"
              f"?reset&token={server.token}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    page.wait_for_selector(KERNEL_IDLE, timeout=90_000)


# closed without a "save your work?" dialog (a failed test leaves its notebook unsaved);
# closing a tab does not stop its kernel: shut_down_kernels does
CLOSE_ALL_JS = """() => { for (const widget of [...window.jupyterapp.shell.widgets('main')])
    widget.dispose(); }"""
OPEN_JS = """async (path) => {
    for (const widget of [...window.jupyterapp.shell.widgets('main')]) widget.dispose();
    await window.jupyterapp.commands.execute('docmanager:open', {path});
}"""


def close_every_tab(page) -> None:
    """Close every document of the JupyterLab in `page` (nothing listens to a kernel
    that is shut down next)."""
    if page.evaluate("() => window.jupyterapp !== undefined"):
        page.evaluate(CLOSE_ALL_JS)


def open_next_notebook(page, server, relative: str) -> None:
    """Open a notebook in the JupyterLab this page already shows, alone (every other tab
    closed first), as a learner opens the next one from the file browser: JupyterLab is
    loaded once for many notebooks instead of once each. The first call loads it."""
    if not page.url.startswith(server.url):
        open_notebook(page, server, relative)
        return
    page.evaluate(OPEN_JS, relative)
    tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current",
                       has_text=Path(relative).name)
    tab.wait_for(timeout=60_000)
    page.wait_for_selector(f"{PANEL} .jp-Cell", timeout=60_000)
    page.wait_for_selector(KERNEL_IDLE, timeout=90_000)


def open_notebook_alone(page, server, source: Path) -> str:
    """Copy `source` into the server's folder and open it alone; returns its name."""
    name = server.add(source)
    open_notebook(page, server, name)
    return name


# Run All is over when no cell waits or runs ("[*]") and either every code cell has its
# execution count or one failed (JupyterLab then leaves the cells after it unrun)
RUN_OVER_JS = f"""() => {{
    const panel = document.querySelector('{PANEL}');
    if (!panel) return false;
    const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
        .map(p => p.textContent);
    if (!prompts.length || prompts.some(text => text.includes('*'))) return false;
    return prompts.every(text => /\\[\\d+\\]/.test(text))
        || panel.querySelector(".jp-OutputArea-output[data-mime-type*='error']") !== null;
}}"""


def run_all_cells(page, timeout_ms: int = 180_000) -> None:
    """Run > Run All Cells, then wait until the run is over (every code cell counted, or
    one failed) and the kernel is idle: waits on the page, never for a guessed time."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    page.wait_for_function(RUN_OVER_JS, timeout=timeout_ms, polling=250)
    page.wait_for_selector(KERNEL_IDLE, timeout=timeout_ms)


def cell_errors(page) -> list[str]:
    return page.locator(f"{PANEL} .jp-OutputArea-output[data-mime-type*='error']"
                        ).all_inner_texts()


def stderr_outputs(page) -> list[str]:
    """What the notebook in front shows on stderr (pink): noise, warnings, logs."""
    return page.locator(f"{PANEL} .jp-OutputArea-output"
                        "[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()


SAVED_JS = """() => { const tab = document.querySelector(
    '.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current');
    return tab !== null && !tab.classList.contains('jp-mod-dirty'); }"""


def save_notebook(page) -> None:
    """Save the notebook in front as a learner does (Ctrl+S); returns once the server has
    written it (its tab is clean)."""
    page.locator(f"{PANEL} .jp-Notebook").first.click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+s")
    page.wait_for_function(SAVED_JS, timeout=30_000, polling=100)


def save_screenshot(target, name: str) -> Path:
    """Keep the last run's screenshot where the README and the tutorials can use it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    target.screenshot(path=str(path))
    return path


def _api(server, path: str, method: str = "GET"):
    request = urllib.request.Request(f"{server.url}api/{path}?token={server.token}",
                                     method=method)
    with urllib.request.urlopen(request, timeout=30) as answer:
        body = answer.read()
    return json.loads(body) if body else None


def kernel_of(server, relative: str) -> str | None:
    """The id of the kernel the server runs for the notebook `relative` (None: none)."""
    return next((session["kernel"]["id"] for session in _api(server, "sessions")
                 if session.get("path") == relative and session.get("kernel")), None)


def restart_kernel(server, relative: str) -> None:
    """Restart the kernel of the notebook `relative` (Kernel > Restart Kernel): every
    widget model it held is gone."""
    _api(server, f"kernels/{kernel_of(server, relative)}/restart", "POST")


def shut_down_kernels(server) -> None:
    """Stop every kernel of the server (notebooks opened by a clicked link start one)."""
    for session in _api(server, "sessions"):
        _api(server, f"sessions/{session['id']}", "DELETE")
    for kernel in _api(server, "kernels"):  # without a session: Voilà's
        _api(server, f"kernels/{kernel['id']}", "DELETE")


IN_FRONT_JS = """() => { const widget = window.jupyterapp.shell.currentWidget;
    return widget && widget.context ? widget.context.path : null; }"""
SECTION_SHOWN_JS = """([path, id]) => { const widget = window.jupyterapp.shell.currentWidget;
    if (!widget || !widget.context || widget.context.path !== path) return false;
    const cell = widget.node.querySelector(`[data-jupyter-id="${id}"]`);
    if (!cell) return false;
    const box = cell.getBoundingClientRect();
    return box.top >= 0 && box.top < window.innerHeight; }"""


# ipywidgets' renderer of a widget output reads LOADING_WIDGET until it finds the output's
# model. A saved output whose model died with the kernel that made it (its notebook
# reopened with a fresh kernel, e.g. by a clicked link) then reads STALE_WIDGET, and the
# renderer logs STALE_WIDGET_CONSOLE, once per output (jupyterlab_widgets 3.0: get_model
# polls 2 s, then WidgetRenderer.renderModel logs it).
LOADING_WIDGET = "Loading widget..."
STALE_WIDGET = "Error displaying widget: model not found"
STALE_WIDGET_CONSOLE = "Error: widget model not found"
# the outputs of the notebook in front that read LOADING_WIDGET or STALE_WIDGET, found
# through its cells (a cell out of view may be detached from the page, its outputs rendered
# all the same) and by their text (JupyterLab marks no mime type on a widget's output)
WIDGET_STATES_JS = f"""() => (window.jupyterapp.shell.currentWidget?.content?.widgets ?? [])
    .filter(cell => cell.outputArea).flatMap(cell => [...cell.outputArea.node
        .querySelectorAll('.jp-OutputArea-output')].map(output => output.textContent.trim())
        .filter(text => text === '{LOADING_WIDGET}' || text === '{STALE_WIDGET}'))"""
# the notebook in front has its kernel (its widget manager looks for models there) and no
# widget output of it still loads
WIDGETS_SETTLED_JS = f"""() => {{ const widget = window.jupyterapp.shell.currentWidget;
    const kernel = widget?.sessionContext?.session?.kernel;
    if (!kernel || kernel.connectionStatus !== 'connected' || kernel.status !== 'idle')
        return false;
    return !({WIDGET_STATES_JS})().includes('{LOADING_WIDGET}'); }}"""


def stale_widget_outputs(page) -> int:
    """How many widget outputs of the notebook in front show STALE_WIDGET."""
    return page.evaluate(WIDGET_STATES_JS).count(STALE_WIDGET)


def follow_a_learn_more_link(page) -> str | None:
    """Click the first "Learn more" of a report in the notebook in front, as a learner does
    (the first one in view: an open card's, else the first of all); '' when JupyterLab
    opened its tutorial with the section in view, its kernel started and every widget
    output of it drawn or failed (what they log is logged now, not in the teardown or the
    next test), else what went wrong (None: no such link)."""
    links = page.locator(f"{PANEL} .jp-OutputArea a", has_text="Learn more")
    if not links.count():
        return None
    shown = page.locator(f"{PANEL} .jp-OutputArea a:visible", has_text="Learn more")
    link = shown.first if shown.count() else links.first
    link.evaluate("a => { const d = a.closest('details'); if (d) d.open = true; }")
    if not link.is_visible():
        return "the 'Learn more' link is not visible (open its card first)"
    href = urlsplit(link.evaluate("a => a.href"))  # JupyterLab's /files/<path> URL
    path = unquote(href.path.split("/files/", 1)[-1])
    anchor = href.fragment.removeprefix("cell-id=")
    link.scroll_into_view_if_needed()
    link.click()
    # the notebook in front must be the link's, found by its whole path: a tab's name is
    # not enough (exercises/00_start_here.ipynb links to tutorials/00_start_here.ipynb)
    try:
        page.wait_for_function(SECTION_SHOWN_JS, arg=[path, anchor], timeout=90_000)
    except Exception as error:  # the message is the finding
        now = page.evaluate(IN_FRONT_JS)
        return (f"'Learn more' -> {path}#{href.fragment} did not show the section "
                f"(in front: {now}): {error}")
    try:
        page.wait_for_function(WIDGETS_SETTLED_JS, timeout=60_000, polling=250)
    except Exception as error:
        return f"'Learn more' -> {path}: no kernel, or its widget outputs still load: {error}"
    return ""
