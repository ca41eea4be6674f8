"""A report's "Learn more" opens its tutorial section in the copies `ckptlab lab` makes.

After `pip install ckptlab`, `ckptlab lab` copies the notebooks the wheel ships
(pyproject's force-include puts tutorials/ and exercises/ under ckptlab/_notebooks/) to
./ckptlab-tutorials and serves them from there. Here the copy is made by the same function
(copy_packaged_notebooks) from a folder laid out as the wheel lays it out; one copied
exercise is run in JupyterLab and its report's "Learn more" clicked: the tutorial of the
copy must open with the section in view. tests/browser/test_every_notebook.py clicks the
same link in tutorials/ and exercises/ of a checkout.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from ckptlab.commands.lab import copy_packaged_notebooks
from ckptlab.render.links import COPY_NAME
from tests.helpers.lab_page import (
    IN_FRONT_JS,
    cell_errors,
    follow_a_learn_more_link,
    open_notebook,
    run_all_cells,
    stderr_outputs,
)
from tests.helpers.notebooks import REPO

EXERCISE = "exercises/00_start_here.ipynb"  # its starter's report has a "Learn more"


def shipped_like_the_wheel(root: Path) -> Path:
    """The wheel's ckptlab/_notebooks folder, laid out from pyproject's force-include
    (read with a pattern: tomllib is 3.11+ and the suite also runs on 3.10)."""
    table = (REPO / "pyproject.toml").read_text().split(
        "[tool.hatch.build.targets.wheel.force-include]\n", 1)[1].split("\n[", 1)[0]
    for source, target in re.findall(r'^"([^"]+)" = "([^"]+)"$', table, re.MULTILINE):
        shutil.copytree(REPO / source, root / target,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    shipped = root / "ckptlab" / "_notebooks"  # where lab.packaged_notebooks looks
    assert sorted(p.name for p in shipped.iterdir()) == ["exercises", "tutorials"]
    return shipped


def test_learn_more_in_the_lab_copy_opens_the_copied_tutorial(jupyter, page, tmp_path):
    copy = copy_packaged_notebooks(shipped_like_the_wheel(tmp_path / "wheel"),
                                   jupyter.workspace / COPY_NAME)
    assert (copy / EXERCISE).is_file()
    console: list[str] = []
    page.on("console", lambda message: message.type == "error" and console.append(
        message.text))
    open_notebook(page, jupyter, f"{COPY_NAME}/{EXERCISE}")
    run_all_cells(page)
    assert cell_errors(page) == [] and stderr_outputs(page) == []
    assert follow_a_learn_more_link(page) == ""
    # the copy's own tutorial, not one of another folder the server holds
    assert page.evaluate(IN_FRONT_JS).startswith(f"{COPY_NAME}/tutorials/")
    assert console == []
