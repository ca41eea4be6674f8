"""Every learner notebook, run in JupyterLab in Chromium the way a learner runs it on Binder.

One server holds tutorials/ and exercises/ side by side (as `ckptlab lab` serves them); its
"python3" kernel is the Binder environment's (tests/helpers/binder.py), resident memory
limited to 2 GB as on mybinder.org. JupyterLab is loaded once in one tab, and the notebooks
are opened in it one after the other (each alone, in a fresh kernel), as a learner goes
from one to the next. Each test fails on:
- an error output, or anything on stderr (TensorFlow's chatter included);
- what output_problems finds in the saved notebook (the same rule as the headless run),
  and for an exercise, a check cell that does not report its stub's finding
  (tests/helpers/exercise_stubs.py);
- a console error or an uncaught exception in the page;
- a dead link: every link of the page is resolved, and a "Learn more" link of a check
  report is clicked: it must open its tutorial with the section in view;
- the kernel going over 2 GB (or not reporting its memory).
Each notebook's page, as the learner sees it once Run All is over, is kept in
tests/browser/artifacts/notebooks/ (not committed) to be looked at.
It checks everything the headless runs of tests/notebooks check (test_notebooks.py: clean
outputs; test_binder.py: Binder's environment within 2 GB), so when it runs they step aside
for it (tests/conftest.py): each notebook is executed once per suite. `make
browser-notebooks` runs only this module.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.browser.conftest import ARTIFACTS, CHROMIUM, serve_course
from tests.conftest import skip_or_fail
from tests.helpers.binder import MEMORY_LIMIT_BYTES, memory_of, memory_report, memory_reports
from tests.helpers.exercise_stubs import stub_problems
from tests.helpers.jupyter import start_jupyterlab
from tests.helpers.lab_page import (
    IN_FRONT_JS,
    PANEL,
    STALE_WIDGET,
    STALE_WIDGET_CONSOLE,
    cell_errors,
    close_every_tab,
    follow_a_learn_more_link,
    kernel_of,
    open_next_notebook,
    run_all_cells,
    save_notebook,
    shut_down_kernels,
    stale_widget_outputs,
    stderr_outputs,
)
from tests.helpers.notebooks import REPO, learner_notebooks, output_problems

NOTEBOOKS = learner_notebooks()
LAST_PAGES = ARTIFACTS / "notebooks"  # each notebook's page once it has run (not committed)
# the Binder environment is built in the first test's setup (it installs TensorFlow)
pytestmark = pytest.mark.timeout(3600)
# links of the page: [href as written in the page, href resolved by the browser, text]
LINKS_JS = f"""() => [...document.querySelectorAll('{PANEL} a[href]')]
    .filter(a => !a.classList.contains('jp-InternalAnchorLink'))
    .map(a => [a.getAttribute('href'), a.href, a.textContent.trim().slice(0, 80)])"""


# a report's "Learn more" is clicked in these (the same link code serves every notebook;
# every other link is resolved and checked without a click, which costs a kernel start)
CLICKED = ("tutorials/00_start_here.ipynb", "exercises/00_start_here.ipynb")


def anchors_of(notebook: Path) -> set[str]:
    """What a fragment may name: cell ids (`#cell-id=x`) and `<a id="x">` anchors."""
    import re

    cells = json.loads(notebook.read_text())["cells"]
    ids = {f"cell-id={cell['id']}" for cell in cells if "id" in cell}
    text = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return ids | set(re.findall(r'<a id="([^"]+)"', text))


def dead_links(page, server, notebook: str) -> list[str]:
    dead = []
    for raw, resolved, text in page.evaluate(LINKS_JS):
        where = f"{text!r} -> {raw}"
        parts = urlsplit(resolved)
        if raw.startswith("#"):  # a link to a section of this notebook
            if raw[1:] not in anchors_of(server.workspace / notebook):
                dead.append(f"{where}: no such section in {notebook}")
        elif parts.scheme in ("http", "https") and not resolved.startswith(server.url):
            continue  # outside the server (no internet here); e.g. plotly's logo
        elif not raw.startswith(("http://", "https://")) or "/files/" not in parts.path:
            # JupyterLab rewrites the links of outputs and Markdown to its /files/<path> URL
            # and opens them itself; a link it did not see (inside an HTML widget) resolves
            # against the page's URL and opens another JupyterLab
            dead.append(f"{where}: not resolved by JupyterLab (a link inside a widget?)")
        else:
            target = server.workspace / unquote(parts.path.split("/files/", 1)[1])
            if not target.is_file():
                dead.append(f"{where}: no file {target.relative_to(server.workspace)}")
            elif parts.fragment and parts.fragment not in anchors_of(target):
                dead.append(f"{where}: no section {parts.fragment!r} in {target.name}")
    return dead


def saved_problems(page, server, notebook: str) -> list[str]:
    """Save the notebook from the page (its tab is clean once the server has written it),
    then read it back as a learner's file."""
    save_notebook(page)
    cells = json.loads((server.workspace / notebook).read_text())["cells"]
    unrun = [n for n, c in enumerate(cells, 1) if c["cell_type"] == "code"
             and not c.get("execution_count")]
    if unrun:
        return [f"cells {unrun} saved without an execution count"]
    return output_problems(cells) + stub_problems(notebook, cells)


@pytest.fixture(scope="module")
def binder_course(binder_env, tmp_path_factory):
    """A JupyterLab serving the course whose "python3" kernel (the one every notebook asks
    for) is Binder's, memory-limited; each kernel reports to the folder <reports>."""
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is missing.", "apt-get install chromium (Debian).")
    base = tmp_path_factory.mktemp("binder-lab")
    reports = base / "memory"
    reports.mkdir()
    kernels = binder_env.kernel_spec(base / "kernels", reports, name="python3")
    server = start_jupyterlab(base, env={"JUPYTER_PATH": str(kernels)})
    try:
        yield serve_course(server), reports
    finally:
        server.stop()


def kernel_memory(server, reports: Path, notebook: str) -> dict:
    """What the notebook's kernel reported of its memory ({} if nothing); "killed" also when
    an earlier kernel of this test went over the limit (JupyterLab then starts another)."""
    kernel = kernel_of(server, notebook)
    memory = memory_of(memory_report(reports, kernel)) if kernel else {}
    killed = any(memory_of(path).get("killed") for path in memory_reports(reports))
    return {**memory, "killed": killed} if memory else {}


# the notebook in front scrolled to its last cell, resolved once the page has drawn two
# frames since (a scroll of its window past the end showed an empty page)
SCROLL_TO_END_JS = """async () => { const notebook = window.jupyterapp.shell.currentWidget.content;
    await notebook.scrollToCell(notebook.widgets[notebook.widgets.length - 1], 'end');
    await new Promise(drawn => requestAnimationFrame(() => requestAnimationFrame(drawn))); }"""


def keep_the_last_page(page, relative: str) -> None:
    """A screenshot of the notebook's end (its last outputs: the check report of an
    exercise) as the learner sees it once Run All is over, in LAST_PAGES."""
    LAST_PAGES.mkdir(parents=True, exist_ok=True)
    page.evaluate(SCROLL_TO_END_JS)
    page.screenshot(path=str(LAST_PAGES / f"{relative.replace('/', '__')}.png"))


@pytest.fixture(scope="module")
def lab(shared_context):
    """One tab holding JupyterLab for every notebook of the module."""
    tab = shared_context.new_page()
    yield tab
    tab.close()


@pytest.fixture
def lab_page(lab, binder_course, request):
    """The module's tab, with this test's console errors; a screenshot if the test failed."""
    console: list[str] = []

    def on_console(message):
        if message.type == "error":
            console.append(message.text)

    def on_error(error):
        console.append(f"uncaught: {error}")

    lab.on("console", on_console)
    lab.on("pageerror", on_error)
    yield lab, console
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        lab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    close_every_tab(lab)  # nothing listens to the kernels shut down next
    shut_down_kernels(binder_course[0])  # an idle TensorFlow kernel holds ~600 MB
    # what JupyterLab logs about the tabs and kernels this teardown ended (e.g. "Canceled
    # future for create_subshell_request ...") arrives late: it belongs to this teardown,
    # not to the next notebook's test
    lab.wait_for_timeout(3000)
    lab.remove_listener("console", on_console)
    lab.remove_listener("pageerror", on_error)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO)))
def test_notebook_runs_cleanly_in_jupyterlab(binder_course, lab_page, notebook):
    page, console = lab_page
    course, reports = binder_course
    relative = notebook.relative_to(REPO).as_posix()
    for earlier in memory_reports(reports):  # of kernels shut down after their test
        earlier.unlink()
    open_next_notebook(page, course, relative)
    try:
        run_all_cells(page, timeout_ms=300_000)  # tutorial 6: about 30 s on a quiet machine
    finally:
        memory = kernel_memory(course, reports, relative)
    keep_the_last_page(page, relative)
    assert memory, "the kernel never reported its memory: was it Binder's memory-limited one?"
    assert not memory["killed"], f"the kernel went over {MEMORY_LIMIT_BYTES} bytes"
    assert 0 < memory["peak_rss_bytes"] <= MEMORY_LIMIT_BYTES
    print(f"{relative}: kernel peak resident memory {memory['peak_rss_bytes'] / 2**20:.0f} MiB")
    assert cell_errors(page) == []
    assert stderr_outputs(page) == []
    assert saved_problems(page, course, relative) == []
    assert dead_links(page, course, relative) == []
    if relative in CLICKED:
        assert follow_a_learn_more_link(page) == ""
        console = without_stale_widgets(page, console)
    assert console == []  # the kernels are shut down after each test (lab_page)


def without_stale_widgets(page, console: list[str]) -> list[str]:
    """The console errors, less one "widget model not found" per widget output of the
    notebook a clicked link opened that shows STALE_WIDGET: that notebook was run and saved
    by its own test in this module, and the models of its saved widget outputs died with
    that test's kernel (shut down in its teardown). Waited for by follow_a_learn_more_link,
    these errors used to arrive seconds after this test, in the next notebook's."""
    stale = stale_widget_outputs(page)
    if stale:
        print(f"{page.evaluate(IN_FRONT_JS)}, reopened by the link: {stale} widget outputs "
              f"show {STALE_WIDGET!r}")
    left = list(console)
    for text in console:
        if stale and text.startswith(STALE_WIDGET_CONSOLE) and "renderModel" in text:
            left.remove(text)
            stale -= 1
    return left
