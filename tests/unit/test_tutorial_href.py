"""A "Learn more" link opens the tutorial from wherever the notebook showing it lives."""

from __future__ import annotations

import pytest

from ckptlab.render.links import COPY_NAME, tutorial_href

LINK = "tutorials/06_when_restores_go_wrong.ipynb#mode-only-variable"


@pytest.fixture
def root(tmp_path):
    for folder in ("tutorials", "exercises"):
        (tmp_path / folder).mkdir()
    (tmp_path / "tutorials" / "06_when_restores_go_wrong.ipynb").write_text("{}")
    return tmp_path


@pytest.mark.parametrize("start, href", [
    ("tutorials", "06_when_restores_go_wrong.ipynb#cell-id=mode-only-variable"),
    ("exercises", "../tutorials/06_when_restores_go_wrong.ipynb#cell-id=mode-only-variable"),
    (".", "tutorials/06_when_restores_go_wrong.ipynb#cell-id=mode-only-variable"),
    ("exercises/my_work",
     "../../tutorials/06_when_restores_go_wrong.ipynb#cell-id=mode-only-variable"),
])
def test_relative_to_the_notebooks_folder(root, start, href):
    (root / start).mkdir(parents=True, exist_ok=True)
    assert tutorial_href(LINK, root / start) == href


def test_next_to_the_copy_that_ckptlab_lab_makes(root, tmp_path):
    home = tmp_path / "home"
    (home / COPY_NAME).mkdir(parents=True)
    (root / "tutorials").rename(home / COPY_NAME / "tutorials")
    assert tutorial_href(LINK, home) == (
        f"{COPY_NAME}/tutorials/06_when_restores_go_wrong.ipynb#cell-id=mode-only-variable")


def test_unknown_layout_keeps_the_link(tmp_path):
    assert tutorial_href(LINK, tmp_path) == (
        "tutorials/06_when_restores_go_wrong.ipynb#cell-id=mode-only-variable")


def test_the_working_directory_is_the_default(root, monkeypatch):
    monkeypatch.chdir(root / "exercises")
    assert tutorial_href(LINK).startswith("../tutorials/")
