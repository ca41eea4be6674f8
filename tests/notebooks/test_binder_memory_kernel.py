"""The memory-limited kernel of the Binder runs really ends a kernel over its limit."""

from __future__ import annotations

import json
import sys

import nbformat
import pytest
from nbclient.exceptions import DeadKernelError

from tests.helpers.binder import KERNEL_NAME, write_kernel_spec
from tests.helpers.notebooks import execute_copy

LIMIT = 400 * 2**20


@pytest.fixture
def small_limit_kernel(tmp_path, monkeypatch):
    write_kernel_spec(tmp_path / "jupyter", sys.executable,
                      {"CKPTLAB_MEMORY_LIMIT_BYTES": str(LIMIT)})
    report = tmp_path / "memory.json"
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("CKPTLAB_MEMORY_REPORT", str(report))
    return report


def notebook_allocating(tmp_path, mebibytes: int):
    folder = tmp_path / "nb"
    folder.mkdir()
    code = (f"import numpy, time\nblock = numpy.ones({mebibytes} * 2**20, dtype='uint8')\n"
            "time.sleep(0.5)\nprint(block.sum())")
    path = folder / "allocate.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)]), path)
    return path


def test_kernel_under_the_limit_reports_its_peak(small_limit_kernel, tmp_path):
    execute_copy(notebook_allocating(tmp_path, 100), tmp_path / "run", kernel_name=KERNEL_NAME)
    memory = json.loads(small_limit_kernel.read_text())
    assert not memory["killed"]
    assert 100 * 2**20 < memory["peak_rss_bytes"] < LIMIT


def test_kernel_over_the_limit_is_ended(small_limit_kernel, tmp_path):
    with pytest.raises(DeadKernelError):
        execute_copy(notebook_allocating(tmp_path, 600), tmp_path / "run",
                     kernel_name=KERNEL_NAME, timeout=60)
    assert json.loads(small_limit_kernel.read_text())["killed"]
