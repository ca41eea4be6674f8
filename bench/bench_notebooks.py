"""Each learner notebook's execution time and kernel peak memory.

Targets (issue 7, issue 16): each notebook under 60 s; its kernel's peak memory at most
2x that of a kernel that only imports TensorFlow (and under 1.2 GB); the whole tutorial
path under 8 minutes. Baselines, measured in the same run: an empty notebook for time
(kernel start-up only), a notebook that only imports TensorFlow for memory (what any
TensorFlow notebook costs). The processes a kernel starts (the checker's warm runners)
are reported beside it: a learner's 2 GB holds them too.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from bench.harness import Result, Timing
from tests.helpers.notebooks import execute_copy, learner_notebooks

MEMORY_RATIO = 2.0


def one_cell(source: str) -> dict:
    return {"cells": [{"cell_type": "code", "id": "only", "metadata": {}, "outputs": [],
                       "execution_count": None, "source": source}],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                        "language": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


EMPTY = one_cell("pass")
TENSORFLOW_ONLY = one_cell("import tensorflow as tf")


def baseline(scratch: Path, name: str, document: dict):
    path = scratch / "baseline" / f"{name}.ipynb"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(document))
    return execute_copy(path, scratch / f"run-{name}")


def run(quick: bool = False) -> list[Result]:
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        empty = baseline(Path(scratch), "empty", EMPTY)
        bare_tf = baseline(Path(scratch), "tensorflow-only", TENSORFLOW_ONLY)
        base_time = Timing.of([empty.seconds])
        base_memory = Timing.of([bare_tf.kernel_peak_mb])
        total = 0.0
        for index, notebook in enumerate(learner_notebooks()):
            done = execute_copy(notebook, Path(scratch) / f"run-{index}")
            name = f"{notebook.parent.name}/{notebook.name}"
            total += done.seconds if notebook.parent.name == "tutorials" else 0.0
            results.append(Result(
                f"notebook {name}", "time", "s", Timing.of([done.seconds]),
                "empty notebook", base_time, "< 60 s", done.seconds < 60))
            ratio = done.kernel_peak_mb / bare_tf.kernel_peak_mb if bare_tf.kernel_peak_mb else 0
            results.append(Result(
                f"notebook {name}", "kernel peak memory", "MB",
                Timing.of([done.kernel_peak_mb]), "kernel importing only TensorFlow",
                base_memory, f"<= {MEMORY_RATIO}x baseline and < 1200 MB",
                0 < ratio <= MEMORY_RATIO and done.kernel_peak_mb < 1200))
            if done.tree_mb > done.kernel_peak_mb:  # it started processes (warm runners)
                results.append(Result(
                    f"notebook {name}", "kernel + processes it started (resident)", "MB",
                    Timing.of([done.tree_mb]), "kernel importing only TensorFlow",
                    base_memory, "no target (with the warm runners of ckptlab.check)"))
    results.append(Result("tutorial path (all tutorials)", "time", "s", Timing.of([total]),
                          target="< 480 s", met=total < 480))
    return results
