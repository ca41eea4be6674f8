"""Every tutorial link a learner is given leads to an existing notebook section."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ckptlab.checker.codes import CODES, ESTIMATOR_VARIANTS, OBJECTS
from ckptlab.exercises import EXERCISES

REPO = Path(__file__).resolve().parents[2]


def anchors_of(notebook: Path) -> set[str]:
    cells = json.loads(notebook.read_text())["cells"]
    text = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return set(re.findall(r'<a id="([^"]+)"', text))


LINKS = sorted({entry.tutorial for entry in CODES.values()} | {f"{OBJECTS}#shape-mismatch"}
               | {tutorial for _, tutorial in ESTIMATOR_VARIANTS.values()}
               | {link for exercise in EXERCISES.values() for _, link in exercise.sections})


@pytest.mark.parametrize("link", LINKS)
def test_finding_link_resolves(link):
    path, _, anchor = link.partition("#")
    notebook = REPO / path
    assert notebook.is_file(), f"{link}: no notebook {path}"
    assert anchor in anchors_of(notebook), f"{link}: no <a id=\"{anchor}\"> in {path}"
    # JupyterLab scrolls to `#cell-id=<anchor>` (render.links): the section's cell has that id
    ids = [cell.get("id") for cell in json.loads(notebook.read_text())["cells"]]
    assert anchor in ids, f"{link}: no cell with id {anchor!r} in {path}"


@pytest.mark.parametrize("exercise", sorted(EXERCISES))
def test_exercise_sections_are_in_the_practised_tutorial(exercise):
    spec = EXERCISES[exercise]
    practised = f"tutorials/{spec.notebook}.ipynb"  # exercises are named after their tutorial
    assert (REPO / practised).is_file(), practised
    assert all(link.startswith(practised + "#") for _, link in spec.sections), spec.sections


@pytest.mark.parametrize("notebook", sorted(REPO.glob("tutorials/*.ipynb")), ids=lambda p: p.name)
def test_each_section_anchor_starts_a_cell_of_that_id(notebook):
    """So `#cell-id=<anchor>` lands on the section's first line (see ckptlab.render.links)."""
    for cell in json.loads(notebook.read_text())["cells"]:
        text = "".join(cell["source"])
        anchors = re.findall(r'<a id="([^"]+)"', text)
        if anchors:
            assert len(anchors) == 1 and text.startswith(f'<a id="{anchors[0]}"></a>'), text
            assert cell["id"] == anchors[0]


NOTEBOOKS = sorted(REPO.glob("tutorials/*.ipynb")) + sorted(REPO.glob("exercises/*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_picture_and_notebook_link_of_a_notebook_exists(notebook):
    """Pictures (`![...](pictures/x.svg)`) and links to other notebooks, relative to it."""
    cells = json.loads(notebook.read_text())["cells"]
    text = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    missing = [t for t in targets if not t.startswith("http") and
               not (notebook.parent / t).is_file()]
    assert missing == []


def test_the_central_ideas_have_pictures():
    pictures = {p.name for p in (REPO / "tutorials" / "pictures").glob("*.svg")}
    assert {"estimator_lifecycle.svg", "checkpoint_contents.svg",
            "name_vs_object_keys.svg"} <= pictures
