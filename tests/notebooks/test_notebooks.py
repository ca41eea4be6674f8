"""Every learner notebook runs top to bottom without an error, and is stored clean."""

from __future__ import annotations

import json

import pytest

from tests.helpers.notebooks import REPO, execute_copy, learner_notebooks

NOTEBOOKS = learner_notebooks()


def test_there_are_notebooks_to_run():
    assert NOTEBOOKS, "no notebook found in tutorials/ or exercises/"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO)))
def test_notebook_is_committed_without_outputs(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    dirty = [i for i, c in enumerate(cells)
             if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert dirty == [], f"cells with outputs: {dirty}; clear them before committing"
    import nbformat

    nbformat.validate(nbformat.reads(notebook.read_text(), as_version=4))  # as Jupyter does


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO)))
def test_notebook_runs_top_to_bottom_cleanly(notebook, tmp_path):
    """Runs, and shows the learner nothing stray: no stderr, no accidental reprs."""
    result = execute_copy(notebook, tmp_path)
    assert result.cells > 0
    assert list(result.problems) == []
