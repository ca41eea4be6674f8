"""Which line of a traceback or call stack is the learner's: the ONE rule, and its text.

A frame is library code when its file is in ckptlab, Python's standard library, or an
installed package (site-packages: TensorFlow, Keras, IPython...), or is frozen/builtin.
The learner's line is the innermost frame in the learner's own files when those are
known, else the innermost frame that is not library code. It reads "file.py, line 12",
or "cell [5], line 3" for a notebook cell (ckptlab.source_location words it).
"""

from __future__ import annotations

import os
import sys
import sysconfig
import traceback
from collections.abc import Collection, Iterable

from ckptlab import source_location

__all__ = ["calling_location", "error_frame", "error_location", "is_library", "learner_frame",
           "location"]

_CKPTLAB_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_PATHS = sysconfig.get_paths()
LIBRARY_DIRS = tuple(dict.fromkeys(
    os.path.join(os.path.abspath(_PATHS[key]), "") for key in ("stdlib", "platstdlib",
                                                               "purelib", "platlib")))


def is_library(path: str) -> bool:
    """True for ckptlab, the standard library, installed packages and frozen modules."""
    if path.startswith("<"):  # <frozen importlib._bootstrap>, <string>, <stdin>
        # <dynamic-code>: cloudpickle's name for code sent by value, which is the
        # learner's (a notebook's functions checked in the sandboxed worker)
        return not path.startswith(("<ipython-input", "<stdin>", "<string>",
                                    "<dynamic-code>"))
    full = os.path.abspath(path)
    return (full.startswith((_CKPTLAB_DIR, *LIBRARY_DIRS)) or "site-packages" in full
            or "dist-packages" in full)


def learner_frame(frames: Iterable[traceback.FrameSummary],
                  learner_files: Collection[str] = ()) -> traceback.FrameSummary | None:
    """The innermost frame in `learner_files` if any is, else the innermost non-library one."""
    frames = list(frames)
    mine = [f for f in frames if f.filename in learner_files]
    if not mine:
        mine = [f for f in frames if not is_library(f.filename)]
    return mine[-1] if mine else None


def location(frame: traceback.FrameSummary | None) -> str:
    """'file.py, line 12' ('' when there is no learner frame)."""
    if frame is None:
        return ""
    return source_location.location(frame.filename, frame.lineno or 0)


def error_frame(error: BaseException, learner_files: Collection[str] = ()
                ) -> traceback.FrameSummary | None:
    """The learner's frame of `error`'s traceback (with its source line), or None."""
    return learner_frame(traceback.extract_tb(error.__traceback__), learner_files)


def error_location(error: BaseException, learner_files: Collection[str] = ()) -> str:
    """Where in the learner's code `error` was raised ('' if nowhere)."""
    return location(error_frame(error, learner_files))


def calling_location(skip: int = 1) -> str:
    """Where in the learner's code the current call started ('' if nowhere)."""
    return location(learner_frame(traceback.extract_stack(sys._getframe(skip))))
