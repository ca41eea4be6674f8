"""Browser fixtures: JupyterLab on loopback, Chromium driven by Playwright.

A failing test leaves a screenshot in tests/browser/artifacts/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail
from tests.helpers.jupyter import start_jupyterlab
from tests.helpers.lab_page import shut_down_kernels

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
REPO = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def jupyter(tmp_path_factory):
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is missing.", "apt-get install chromium (Debian).")
    server = start_jupyterlab(tmp_path_factory.mktemp("jupyterlab"))
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _kernels_stopped_after_the_test(request):
    """Each test's kernels end with it: a TensorFlow kernel left idle holds ~600 MB and
    the server would collect one per test."""
    yield
    if "jupyter" in request.fixturenames:
        shut_down_kernels(request.getfixturevalue("jupyter"))


def serve_course(server):
    """tutorials/ and exercises/ side by side in the server's folder, as `ckptlab lab` serves
    them, so the links between notebooks (and a report's "Learn more") resolve as for a
    learner."""
    for folder in ("tutorials", "exercises"):
        shutil.copytree(REPO / folder, server.workspace / folder, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return server


@pytest.fixture(scope="session")
def course(jupyter):
    """The session's server holding the course (serve_course)."""
    return serve_course(jupyter)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("the playwright package is not installed.", "make test (installs it).")
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is missing.", "apt-get install chromium (Debian).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


VIEWPORT = {"width": 1400, "height": 1000}


def _tab(context, request):
    tab = context.new_page()
    yield tab
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    tab.close()


@pytest.fixture
def page(browser, request):
    """A tab in a browser context of its own (nothing kept from other tests)."""
    context = browser.new_context(viewport=VIEWPORT)
    yield from _tab(context, request)
    context.close()


@pytest.fixture(scope="module")
def shared_context(browser):
    context = browser.new_context(viewport=VIEWPORT)
    yield context
    context.close()
