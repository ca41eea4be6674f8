"""Drive a notebook in JupyterLab the way a person does: open it, run it, look at it."""

from __future__ import annotations

from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
KERNEL_IDLE = "#jp-main-statusbar >> text=Idle"


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


def open_notebook_alone(page, server, source: Path) -> str:
    """Copy `source` into the server's folder and open it alone; returns its name."""
    name = server.add(source)
    open_notebook(page, server, name)
    return name


def run_all_cells(page, timeout_ms: int = 180_000) -> None:
    """Run > Run All Cells, then wait until every code cell has an execution count."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
            return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""",
        timeout=timeout_ms,
    )
    page.wait_for_selector(KERNEL_IDLE, timeout=timeout_ms)


def cell_errors(page) -> list[str]:
    return page.locator(".jp-OutputArea-output[data-mime-type*='error']").all_inner_texts()


def save_screenshot(target, name: str) -> Path:
    """Keep the last run's screenshot where the README and the tutorials can use it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    target.screenshot(path=str(path))
    return path
