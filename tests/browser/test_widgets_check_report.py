"""CheckReport in JupyterLab (expand a finding) and, the same notebook, in Notebook 7."""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.helpers.lab_page import (
    cell_errors,
    follow_a_learn_more_link,
    open_notebook_alone,
    run_all_cells,
    save_screenshot,
    shut_down_kernels,
    stderr_outputs,
)

NOTEBOOK = Path(__file__).resolve().parent / "notebooks" / "check_report.ipynb"
CARD = ".ckptlab-check-report .ckptlab-finding"  # the card: its text, then its link


def test_expand_a_finding_card_and_follow_its_link(course, page):
    open_notebook_alone(page, course, NOTEBOOK)
    run_all_cells(page)
    assert cell_errors(page) == []
    assert stderr_outputs(page) == []  # no TensorFlow noise, no warning
    report = page.locator(".ckptlab-check-report")
    report.wait_for(timeout=60_000)
    assert "FAIL" in report.inner_text() and "stages passed" in report.inner_text()
    assert not page.locator(CARD).first.is_visible()

    # two mistakes, two causes: the shifted layer name, and the variable made in EVAL only
    report.get_by_text("NAME_DRIFT", exact=False).first.click()
    page.locator(CARD).first.wait_for(state="visible", timeout=30_000)
    card = page.locator(CARD).first.inner_text()
    assert "dense_1 -> dense" in card and "Fix:" in card and "Learn more" in card
    assert "eval_scale" not in card
    report.get_by_text("MODE_ONLY_VARIABLE", exact=False).first.click()
    eval_only = page.locator(CARD).filter(has_text="eval_scale")
    eval_only.wait_for(state="visible", timeout=30_000)
    assert "Create every variable in every mode" in eval_only.inner_text()
    save_screenshot(report, "check_report")
    try:  # the card's link opens the tutorial section inside JupyterLab
        assert follow_a_learn_more_link(page) == ""
    finally:
        shut_down_kernels(course)


STARTED_OR_ASKED = """() => document.querySelector('.jp-Dialog') !== null ||
    /\\[(\\*|\\d+)\\]/.test(document.querySelector('.jp-CodeCell .jp-InputPrompt').textContent)"""


def run_all_in_notebook7(page, attempts: int = 4) -> None:
    """Run > Run All Cells until the first cell has started; Notebook 7 may ask which
    kernel to start (a dialog), or drop the command while its kernel is starting."""
    for _ in range(attempts):
        dialog = page.locator(".jp-Dialog")
        if dialog.count():
            dialog.get_by_role("button", name="Select").click()
            dialog.wait_for(state="detached", timeout=30_000)
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        try:
            page.wait_for_function(STARTED_OR_ASKED, timeout=20_000)
        except PlaywrightTimeout:
            continue
        if not page.locator(".jp-Dialog").count():
            return
    raise AssertionError("Notebook 7 did not start running the cells")


def test_a_widget_notebook_runs_in_notebook_7(jupyter, page, tmp_path):
    copy = tmp_path / "check_report_notebook7.ipynb"
    shutil.copy(NOTEBOOK, copy)
    name = jupyter.add(copy)
    page.goto(f"{jupyter.url}notebooks/{name}?token={jupyter.token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    # Notebook 7's own shell (not JupyterLab's), served by the same jupyter_server
    assert page.locator("body[data-notebook='notebooks'] #jp-NotebookLogo").count() == 1
    assert page.locator("#jp-main-statusbar").count() == 0
    run_all_in_notebook7(page)
    report = page.locator(".ckptlab-check-report")
    report.wait_for(timeout=180_000)
    assert cell_errors(page) == []
    assert stderr_outputs(page) == []  # no TensorFlow noise, no warning
    report.get_by_text("MODE_ONLY_VARIABLE", exact=False).first.click()
    page.locator(CARD).filter(has_text="eval_scale").wait_for(state="visible", timeout=30_000)
    report.evaluate("node => node.scrollIntoView()")
    save_screenshot(page, "check_report_notebook7")


def test_the_check_report_works_in_voila(jupyter, page, tmp_path):
    """Voilà (its jupyter_server extension, as `pip install voila` enables it) runs the
    notebook on page load and shows the outputs only: the report's cards still open."""
    copy = tmp_path / "check_report_voila.ipynb"
    shutil.copy(NOTEBOOK, copy)
    name = jupyter.add(copy)
    # Voilà streams the page while it runs the cells: "load" comes only at the end
    page.goto(f"{jupyter.url}voila/render/{name}?token={jupyter.token}", wait_until="commit")
    report = page.locator(".ckptlab-check-report")
    report.wait_for(timeout=480_000)
    assert "def model_fn" not in page.locator("body").inner_text()  # Voilà hides the code
    assert cell_errors(page) == []
    stderr = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    assert stderr.all_inner_texts() == []  # no TensorFlow noise, no warning
    report.get_by_text("MODE_ONLY_VARIABLE", exact=False).first.click()
    eval_only = page.locator(CARD).filter(has_text="eval_scale")
    eval_only.wait_for(state="visible", timeout=30_000)
    assert "Create every variable in every mode" in eval_only.inner_text()
    save_screenshot(page, "check_report_voila")
