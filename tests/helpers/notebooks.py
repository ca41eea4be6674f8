"""Find the learner notebooks and execute one top to bottom in a scratch copy."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def learner_notebooks() -> list[Path]:
    """Every notebook a learner opens: tutorials/ and exercises/ (not checkpoints)."""
    found = sorted(REPO.glob("tutorials/*.ipynb")) + sorted(REPO.glob("exercises/**/*.ipynb"))
    return [path for path in found if ".ipynb_checkpoints" not in path.parts]


@dataclass(frozen=True)
class Execution:
    notebook: Path
    seconds: float
    cells: int


def execute_copy(notebook: Path, scratch: Path, timeout: int = 300) -> Execution:
    """Run `notebook` in a copy of its folder, so the repository stays untouched."""
    import nbformat
    from nbclient import NotebookClient

    workdir = scratch / notebook.parent.name
    shutil.copytree(notebook.parent, workdir, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    document = nbformat.read(workdir / notebook.name, as_version=4)
    client = NotebookClient(document, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(workdir)}})
    start = time.perf_counter()
    client.execute()
    return Execution(notebook, time.perf_counter() - start,
                     sum(cell.cell_type == "code" for cell in document.cells))
