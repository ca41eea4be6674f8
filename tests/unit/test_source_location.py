"""Code typed in a notebook cell is located as `cell [N], line L`, like IPython's tracebacks."""

from __future__ import annotations

import pytest

from ckptlab.source_location import cell_number, cell_words, location


@pytest.fixture
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    yield shell
    InteractiveShell.clear_instance()


def test_a_cell_is_named_by_its_execution_count(shell):
    shell.run_cell("x = 1", store_history=True)
    shell.run_cell("def model_fn():\n    return 1\n", store_history=True)
    filename = shell.user_ns["model_fn"].__code__.co_filename
    assert cell_number(filename) == 2
    assert location(filename, 2) == "cell [2], line 2"


def test_a_file_is_named_by_its_base_name(shell):
    assert location("/tmp/scratch/model.py", 7) == "model.py, line 7"


def test_outside_ipython_files_only():
    assert cell_number("/tmp/ipykernel_1/3178775857.py") is None


def test_text_from_the_checkers_worker_names_the_cell(shell):
    from ckptlab.checker.codes import make_finding
    from ckptlab.checker.findings import Report
    from ckptlab.checker.worker import _cells_named

    shell.run_cell("def model_fn():\n    raise KeyError('y')\n", store_history=True)
    filename = shell.user_ns["model_fn"].__code__.co_filename
    name = filename.rsplit("/", 1)[-1]
    words = cell_words([filename, "/tmp/other.py"])
    assert words == {f"{name}, line ": "cell [1], line "}
    finding = make_finding("LEARNER_EXCEPTION", f"During train, your code raised KeyError at "
                           f"{name}, line 2, in model_fn.", "fix",
                           {"in your code": f"{name}, line 2, in model_fn"})
    named = _cells_named(Report("estimator", "model_fn", (finding,)), words).findings[0]
    assert named.what.endswith("at cell [1], line 2, in model_fn.")
    assert dict(named.evidence)["in your code"] == "cell [1], line 2, in model_fn"


def _notebook(tmp_path, cells, name="sub.ipynb"):
    import json

    path = tmp_path / name
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 5}))
    return path


def test_a_notebook_file_is_located_by_cell_and_line_in_the_cell(tmp_path):
    from ckptlab.checker.submission import read_cells
    from ckptlab.source_location import notebook_location

    path = _notebook(tmp_path, [
        {"cell_type": "markdown", "source": "intro"},
        {"cell_type": "code", "execution_count": 3, "source": "import os\n%time x = 1\n"},
        {"cell_type": "code", "execution_count": 7,
         "source": ["def model_fn():\n", "    y = 2\n", "    raise KeyError('y')"]}])
    source, cells = read_cells(path)
    lines = source.splitlines()
    raising = lines.index("    raise KeyError('y')") + 1  # where the script has it
    assert lines[1] == ""  # the magic line keeps its place, so numbers stay right
    assert notebook_location(f"raised at sub.py, line {raising}, in model_fn", "sub.py",
                             cells) == "raised at cell [7], line 3, in model_fn"
    assert notebook_location("sub.py, line 2", "sub.py", cells) == "cell [3], line 2"
    assert notebook_location("mysub.py, line 2", "sub.py", cells) == "mysub.py, line 2"


def test_a_notebook_saved_without_counts_is_located_by_position(tmp_path):
    from ckptlab.checker.submission import read_cells
    from ckptlab.source_location import notebook_location

    path = _notebook(tmp_path, [
        {"cell_type": "markdown", "source": "intro"},
        {"cell_type": "code", "execution_count": None, "source": "x = 1"},
        {"cell_type": "code", "execution_count": None, "source": "y = 2\nz = 3"}])
    source, cells = read_cells(path)
    assert source.splitlines()[3] == "z = 3"
    assert notebook_location("sub.py, line 4", "sub.py", cells) == \
        "cell 3 from the top, line 2"
    assert read_cells(tmp_path / "sub.ipynb")[1] == cells
