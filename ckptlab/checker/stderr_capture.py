"""Keep a check's stderr out of the notebook cell that runs it.

TensorFlow's C++ runtime writes log lines to file descriptor 2 (TF_CPP_MIN_LOG_LEVEL does
not stop all of them) and deprecated tf.compat.v1 APIs raise Python warnings. In a
notebook both appear as red stderr output, and nbgrader scores any stderr in a graded
cell as 0 points. While `captured_stderr()` is active, descriptor 2, `sys.stderr` and
warnings go to a temporary file and a list; what is left once TensorFlow's own log lines
and library warnings are removed (ckptlab.quiet.is_noise) is returned as text, for the
report to mention.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import warnings
from collections.abc import Iterator

from ckptlab.quiet import is_noise

__all__ = ["CapturedStderr", "captured_stderr"]



class CapturedStderr:
    """What was written to stderr during the block (filled in when the block ends)."""

    def __init__(self) -> None:
        self.raw = ""
        self.warnings: list[str] = []

    @property
    def learner_lines(self) -> list[str]:
        """Lines that are neither TensorFlow log lines nor warnings raised by libraries."""
        return [line for line in self.raw.splitlines() if line.strip() and not is_noise(line)]


@contextlib.contextmanager
def captured_stderr() -> Iterator[CapturedStderr]:
    record = CapturedStderr()
    python_stderr = io.StringIO()
    try:
        sys.stderr.flush()
        saved_fd = os.dup(2)
    except (OSError, ValueError, AttributeError):
        saved_fd = None  # no real descriptor 2 (an embedded interpreter): Python level only
    with tempfile.TemporaryFile(mode="w+b") as sink:
        if saved_fd is not None:
            os.dup2(sink.fileno(), 2)
        try:
            with warnings.catch_warnings(record=True) as caught, \
                    contextlib.redirect_stderr(python_stderr):
                warnings.simplefilter("always")
                yield record
        finally:
            if saved_fd is not None:
                os.dup2(saved_fd, 2)
                os.close(saved_fd)
            sink.seek(0)
            record.raw = sink.read().decode("utf-8", "replace") + python_stderr.getvalue()
            record.warnings = [f"{w.category.__name__}: {w.message}" for w in caught]
