"""`ckptlab.check(...)` from a notebook, run in the warm worker, never in the kernel.

The learner's functions travel by cloudpickle (which carries functions and closures
defined in a notebook by value) to a process forked from the warm runner of their track
(TensorFlow is imported there once per kernel, not per check), inside the same sandbox
and under the same limits as `ckptlab check FILE`. Whatever the code does (os._exit, a
segfault, a memory bomb, a loop in native code) ends that process, not the kernel, and
the kernel's own TensorFlow state (graphs, Keras name counters, seeds) is never touched.
Where it pays (ckptlab.checker.spares), a check runs in the spare sandbox made after the
one before: its stage processes were forked and warmed before the submission arrived.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from ckptlab.checker.findings import Report, reworded
from ckptlab.checker.limits import Limits
from ckptlab.checker.runners.tracks import stages_of
from ckptlab.checker.sandbox import report_from_outcome
from ckptlab.checker.warm import run_isolated
from ckptlab.learner_code import ORIGINS_KEY, code_origins
from ckptlab.source_location import cell_words

__all__ = ["check_in_worker", "pickled"]


def pickled(functions: dict[str, Any]) -> tuple[bytes, str]:
    """(the functions as cloudpickle bytes, '') or (b'', why they cannot be sent)."""
    import cloudpickle

    by_value = _learner_modules(functions)
    for module in by_value:  # the sandbox sees no learner folder: send their code itself
        cloudpickle.register_pickle_by_value(module)
    try:
        # cloudpickle renames code sent by value '<dynamic-code>': its real file names go
        # along, so the worker's tracebacks still point into the learner's cells
        origins = code_origins(functions.values())
        return cloudpickle.dumps({**functions, ORIGINS_KEY: origins}), ""
    except Exception as error:  # an object that cannot leave the kernel (e.g. a live session)
        return b"", f"{type(error).__name__}: {error}"
    finally:
        for module in by_value:
            cloudpickle.unregister_pickle_by_value(module)


def _learner_modules(functions: dict[str, Any]) -> list[Any]:
    """Modules the functions come from that the sandbox cannot import: files of the
    learner's own (not the standard library, not installed packages, not ckptlab)."""
    installed = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    package = Path(__file__).resolve().parents[1]
    modules = []
    for function in functions.values():
        module = sys.modules.get(getattr(function, "__module__", "") or "")
        file = getattr(module, "__file__", None)
        if module is None or file is None or module.__name__ == "__main__":
            continue
        where = Path(file).resolve()
        if package in where.parents or any(root in where.parents for root in installed):
            continue
        if module not in modules:
            modules.append(module)
    return modules


def check_in_worker(track: str, payload: bytes, learner_files: set[str], subject: str,
                    exercise: str = "", limits: Limits | None = None,
                    isolated: bool = True) -> Report:
    """Run the pickled functions' check in a new sandbox from the warm worker."""
    limits = limits or Limits()
    start = time.perf_counter()
    outcome = run_isolated(track, payload, "functions.pkl", "pickle", limits,
                           isolated=isolated, learner_files=sorted(learner_files),
                           stages=stages_of(track), spare=True)
    report = report_from_outcome(outcome, track, subject, limits, exercise, start)
    return _cells_named(report, cell_words(learner_files))


def _cells_named(report: Report, words: dict[str, str]) -> Report:
    """The worker names notebook code by its temporary file; say `cell [5], line 3`."""
    if not words:
        return report

    def say(text: str) -> str:
        for old, new in words.items():
            text = text.replace(old, new)
        return text

    return reworded(report, say)
