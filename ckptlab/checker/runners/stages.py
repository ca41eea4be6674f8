"""What both tracks share while running learner code: stages, timings, learner errors.

A `Run` collects observations as a plain JSON dict. Each stage calls learner code through
`Run.call`: an exception is recorded (type, message, the line in the learner's code) and
the run goes on with what it has, so one check explains everything it can.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from typing import Any

from ckptlab.checker.observations import OBSERVATIONS_VERSION
from ckptlab.learner_code import error_location

__all__ = ["MESSAGE_LIMIT", "Listening", "Run", "TensorFlowLog", "describe_exception"]

MESSAGE_LIMIT = 6000  # long enough for TF's restore errors once stack traces are cut


# First lines TensorFlow and Keras put in front of the real cause
_WRAPPERS = ("Restoring from checkpoint failed", "Graph execution error",
             "Exception encountered when calling", "Init operations did not make model ready")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_NODE = re.compile(r"\[\[\{\{node ([^}]+)\}\}|\[\[node ([^ \]]+)|Detected at node '?([^' \n]+)'?")
_TRACE_LINE = re.compile(r"^\s*(File \"|Detected at node|defined at \(most recent call last\)|"
                         r"\[\[|Traceback|Call arguments received|Arguments received)")


def _cause(message: str) -> tuple[str, str]:
    """(the cause, the wrapper's first line): TensorFlow's and Keras's wrapping removed."""
    first = message.splitlines()[0] if message else ""
    if not first.startswith(_WRAPPERS):
        return message, ""
    rest = message.split("Original error:", 1)[1] if "Original error:" in message \
        else message[len(first):]
    rest = rest.split("Call arguments received", 1)[0].split("Arguments received by", 1)[0]
    lines = [line.rstrip() for line in rest.splitlines()
             if line.strip() and not _TRACE_LINE.match(line)]
    cause = "\n".join(lines).strip()
    return (cause or message), first


def _op_and_node(error: BaseException, message: str) -> tuple[str, str]:
    op = getattr(error, "op", None)
    op_type = getattr(op, "type", "") or ""
    node = getattr(op, "name", "") or ""
    if not node:
        found = _NODE.search(message)
        node = next((g for g in found.groups() if g), "") if found else ""
    return str(op_type), str(node)


def describe_exception(error: BaseException, stage: str, learner_files: set[str],
                       hide: tuple[str, ...] = ()) -> dict:
    """The exception as plain data (`observations.LearnerError`): TensorFlow's and Keras's
    wrappers unwrapped to the op error, its node, scratch paths and addresses left out."""
    message = _ANSI.sub("", re.sub(r" at 0x[0-9a-fA-F]+", "", str(error).strip()))
    message = re.sub(r" \(graphs are <[^>]*> and <[^>]*>\)", "", message)
    # TensorFlow appends the Python stack that built the failing op; its file paths can
    # push the useful first lines ("Key x not found in checkpoint") past any limit.
    message = message.split("\n\nOriginal stack trace for", 1)[0].rstrip()
    for prefix in hide:
        message = message.replace(prefix, "")
    op, node = _op_and_node(error, message)
    cause, wrapper = _cause(message)
    if len(cause) > MESSAGE_LIMIT:
        cause = cause[:MESSAGE_LIMIT] + " ..."
    return {"stage": stage, "type": type(error).__name__, "message": cause,
            "location": error_location(error, learner_files), "op": op, "node": node,
            "wrapper": wrapper}


class Run:
    """Observations of one check; `emit(stage, observations)` streams progress."""

    def __init__(self, track: str, learner_files: set[str],
                 emit: Callable[[str, dict], None] | None = None, workdir: str = ""):
        self.learner_files = learner_files
        self.hide = (workdir.rstrip(os.sep) + os.sep,) if workdir else ()
        self.emit = emit or (lambda stage, obs: None)
        self.obs: dict[str, Any] = {"track": track, "version": OBSERVATIONS_VERSION,
                                    "errors": [], "stages": [], "timings": {}, "log": []}
        self.timings = self.obs["timings"]

    def call(self, stage: str, function: Callable[..., Any], *args: Any, **kwargs: Any):
        """(True, result) or (False, None) after recording the exception under `stage`;
        `stage` has finished when it returns."""
        return self._run(stage, True, function, args, kwargs)

    def prepare(self, stage: str, function: Callable[..., Any], *args: Any, **kwargs: Any):
        """call() for what comes before the stage's own call (making the Estimator it
        calls): an exception is the stage's, a return does not finish the stage."""
        return self._run(stage, False, function, args, kwargs)

    def _run(self, stage: str, finishes: bool, function: Callable[..., Any], args: tuple,
             kwargs: dict):
        start = time.perf_counter()
        try:
            result = function(*args, **kwargs)
        except Exception as error:
            self.obs["errors"].append(describe_exception(error, stage, self.learner_files,
                                                        self.hide))
            self.done(stage, start, ok=False)
            return False, None
        self.done(stage, start, ok=finishes)
        return True, result

    def done(self, stage: str, start: float, ok: bool = True) -> None:
        """Time spent in `stage`; `ok`: it finished (in the order stages finish)."""
        self.timings[stage] = round(self.timings.get(stage, 0.0) + time.perf_counter() - start, 4)
        if ok and stage not in self.obs["stages"]:
            self.obs["stages"].append(stage)
        self.emit(stage, self.obs)

    def failed(self, stage: str) -> bool:
        return any(error["stage"] == stage for error in self.obs["errors"])


# INFO lines that are evidence (predicting from weights nobody trained)
NOTABLE_INFO = ("Could not find trained model",)


class TensorFlowLog(logging.Handler):
    """TensorFlow's log lines while learner code runs (INFO and above), never printed
    more than before; each new warning is streamed so a later hang still keeps it."""

    def __init__(self, run: Run) -> None:
        super().__init__(logging.INFO)
        self.run = run
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        if record.levelno >= logging.WARNING or any(
                text in record.getMessage() for text in NOTABLE_INFO):
            message = record.getMessage()[:500]
            log = self.run.obs["log"]
            if message not in log and len(log) < 30:
                log.append(message)
                self.run.emit("log", self.run.obs)

    def count(self, text: str, since: int = 0) -> int:
        return sum(text in record.getMessage() for record in self.records[since:])


class Listening:
    """Capture TensorFlow's log for the whole run without changing what is printed."""

    def __init__(self, run: Run) -> None:
        self.log, self.logger = TensorFlowLog(run), logging.getLogger("tensorflow")

    def __enter__(self) -> TensorFlowLog:
        logger = self.logger
        self.level, shown = logger.level, logger.getEffectiveLevel()
        self.printers = list(logger.handlers) + (logging.getLogger().handlers
                                                 if logger.propagate else [])

        def as_before(record: logging.LogRecord) -> bool:
            return record.levelno >= shown

        self.filter = as_before
        for handler in self.printers:
            handler.addFilter(as_before)
        logger.addHandler(self.log)
        logger.setLevel(logging.INFO)
        return self.log

    def __exit__(self, *exc: Any) -> None:
        self.logger.removeHandler(self.log)
        self.logger.setLevel(self.level)
        for handler in self.printers:
            handler.removeFilter(self.filter)
