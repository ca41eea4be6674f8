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
    assert location(filename, 2, "{file}:{line}") == "cell [2], line 2"


def test_a_file_is_named_by_its_base_name(shell):
    assert location("/tmp/scratch/model.py", 7) == "model.py, line 7"
    assert location("/tmp/scratch/model.py", 7, "{file}:{line}") == "model.py:7"


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
