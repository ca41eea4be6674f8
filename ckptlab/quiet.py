"""The one place that keeps TensorFlow's chatter out of notebooks and check reports.

    import ckptlab
    tf = ckptlab.import_tensorflow()    # TensorFlow, without its start-up log lines

What is silenced, and how (measured on TensorFlow 2.21, CPU):
- The C++ lines written before absl is initialised ("WARNING: All log messages before
  absl::InitializeLog() ...", oneDNN, cuda drivers, cuInit) ignore TF_CPP_MIN_LOG_LEVEL.
  The import and the first device scan therefore run with file descriptor 2 captured;
  afterwards every captured line that is not known noise is written back to stderr, so
  a real error (a missing library, a crash message) is still seen.
- From then on TF_CPP_MIN_LOG_LEVEL=2 keeps C++ INFO and WARNING lines out; C++ errors
  still show.
- What TensorFlow's, absl's and Keras's Python loggers print: errors only. TensorFlow's
  logger keeps its level, so ckptlab's recorder still sees its warnings as events.
- Python warnings: only the deprecation notices TensorFlow and Keras raise about their
  own API (`tf.layers.dense` is deprecated, ...) are ignored. The learner's own
  warnings, prints and exceptions are never touched.
Nothing here imports TensorFlow at module import.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import tempfile
import warnings
from collections.abc import Iterator
from types import ModuleType

__all__ = ["FORK_SAFE", "import_tensorflow", "is_noise", "quiet_environment", "quiet_loggers"]

# C++ log lines: severity letter, MMDD, time, thread id, file:line]
_CPP_LINE = re.compile(r"^([IWEF])\d{4} [\d:.]+\s+\d+ [\w./-]+:\d+\] ?(.*)$")
# C++ errors that are noise on a machine without a GPU; every other C++ error is kept
_CPP_ERROR_NOISE = re.compile(
    r"cuInit|Unable to register cu(DNN|FFT|BLAS) factory|computation placer already registered")
_OTHER_NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to "
    r"STDERR|To enable the following instructions: .* rebuild TensorFlow with the "
    r"appropriate compiler flags\.)$")
# deprecation notices TensorFlow/Keras raise about their own API (attributed to the caller)
_LIBRARY_DEPRECATIONS = (
    r"`tf\.layers\.\w+` is deprecated",
    r"`layer\.apply` is deprecated",
    r"`tf\.keras\.backend\.set_learning_phase` is deprecated",
)
_LIBRARY_MODULES = r"(tensorflow|tf_keras|keras|absl|google\.protobuf|h5py)(\.|$)"
_LOGGERS = ("absl", "keras", "tf_keras", "h5py")  # TensorFlow's: see _tensorflow_output
# TensorFlow ERROR log lines that report nothing wrong with the learner's code
_LOG_NOISE = re.compile(r"^Couldn't match files for checkpoint")

_imported: list[ModuleType] = []


def is_noise(line: str) -> bool:
    """Whether one line of output is TensorFlow chatter rather than something to read."""
    line = line.strip()
    if _OTHER_NOISE.match(line):
        return True
    cpp = _CPP_LINE.match(line)
    if cpp is None:
        return False
    severity, text = cpp.groups()
    return severity in "IW" or bool(_CPP_ERROR_NOISE.search(text))


def quiet_environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """Set the variables TensorFlow reads at start-up in `env` (default os.environ); for a
    child process's environment too. Values the caller set already are kept."""
    env = os.environ if env is None else env
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


class _DropNoise(logging.Filter):
    """Drops the library log messages known to be chatter even at ERROR level."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _LOG_NOISE.search(record.getMessage())


def _tensorflow_output() -> None:
    """TensorFlow's own printing handler shows errors only; the logger keeps its level, so
    handlers that record warnings (ckptlab's Estimator recorder) still receive them."""
    tf = sys.modules.get("tensorflow")
    if tf is None or not hasattr(tf, "get_logger"):
        return
    logger = tf.get_logger()  # adds TensorFlow's handler on first use
    logger.propagate = False  # else printed twice wherever the root logger has a handler
    outputs = [h for h in logger.handlers if type(h) is logging.StreamHandler]
    if not outputs:  # TensorFlow adds none when the root logger was configured first
        outputs = [logging.StreamHandler(sys.stderr)]
        outputs[0].setFormatter(logging.Formatter(logging.BASIC_FORMAT))
        logger.addHandler(outputs[0])
    for handler in outputs:
        handler.setLevel(logging.ERROR)
        if not any(isinstance(f, _DropNoise) for f in handler.filters):
            handler.addFilter(_DropNoise())


def quiet_loggers() -> None:
    """Python loggers and warnings of the libraries: errors only, learner's untouched."""
    _tensorflow_output()
    for name in _LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    absl_logging = sys.modules.get("absl.logging")
    if absl_logging is not None:
        absl_logging.set_verbosity(absl_logging.ERROR)
    for message in _LIBRARY_DEPRECATIONS:
        warnings.filterwarnings("ignore", message=message)
    for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):
        warnings.filterwarnings("ignore", category=category, module=_LIBRARY_MODULES)


@contextlib.contextmanager
def _stderr_filtered() -> Iterator[None]:
    """Capture file descriptor 2 (C++ writes there directly); on exit, write back every
    captured line that is not noise, so real errors stay visible."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no file descriptor 2 (some embedded interpreters): nothing to filter
        yield
        return
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            kept = [line for line in sink.read().decode(errors="replace").splitlines()
                    if line.strip() and not is_noise(line)]
            if kept:
                sys.stderr.write("\n".join(kept) + "\n")
                sys.stderr.flush()


FORK_SAFE = "CKPTLAB_FORK_SAFE"  # set to "1" in a process that forks after the import


def import_tensorflow() -> ModuleType:
    """`import tensorflow`, without the start-up lines and library chatter; returns it.

    Call it before anything else imports TensorFlow (later calls only re-apply the
    logger settings). Import errors are raised as usual, with their output kept. Where
    CKPTLAB_FORK_SAFE=1 (the checker's warm runner forks after importing) the device
    scan is left out: no TensorFlow runtime is started before a fork.
    """
    if _imported:
        quiet_loggers()
        return _imported[0]
    quiet_environment()
    fresh = "tensorflow" not in sys.modules
    with _stderr_filtered() if fresh else contextlib.nullcontext():
        import tensorflow as tf

        if os.environ.get(FORK_SAFE) != "1":
            tf.config.list_physical_devices()  # the device scan logs (cuInit) happen here
    quiet_loggers()
    _imported.append(tf)
    return tf
