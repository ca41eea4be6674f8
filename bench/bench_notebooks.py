"""Each learner notebook's execution time and kernel peak memory.

Targets (issue 7): each notebook under 60 s with a kernel peak under 1.2 GB; the whole
tutorial path under 8 minutes. Baseline: an empty notebook (kernel start-up only).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from bench.harness import Result, Timing
from tests.helpers.notebooks import execute_copy, learner_notebooks

EMPTY = {"cells": [{"cell_type": "code", "id": "empty", "metadata": {}, "outputs": [],
                    "execution_count": None, "source": "pass"}],
         "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}},
         "nbformat": 4, "nbformat_minor": 5}


def run(quick: bool = False) -> list[Result]:
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        empty = Path(scratch) / "baseline" / "empty.ipynb"
        empty.parent.mkdir()
        empty.write_text(json.dumps(EMPTY))
        base = execute_copy(empty, Path(scratch) / "run-empty")
        base_time, base_memory = Timing.of([base.seconds]), Timing.of([base.kernel_peak_mb])
        total = 0.0
        for index, notebook in enumerate(learner_notebooks()):
            done = execute_copy(notebook, Path(scratch) / f"run-{index}")
            name = f"{notebook.parent.name}/{notebook.name}"
            total += done.seconds if notebook.parent.name == "tutorials" else 0.0
            results.append(Result(
                f"notebook {name}", "time", "s", Timing.of([done.seconds]),
                "empty notebook", base_time, "< 60 s", done.seconds < 60))
            results.append(Result(
                f"notebook {name}", "kernel peak memory", "MB",
                Timing.of([done.kernel_peak_mb]), "empty notebook", base_memory, "< 1200 MB",
                0 < done.kernel_peak_mb < 1200))
    results.append(Result("tutorial path (all tutorials)", "time", "s", Timing.of([total]),
                          target="< 480 s", met=total < 480))
    return results
