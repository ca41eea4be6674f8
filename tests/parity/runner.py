"""Run the parity scenarios on one side and write one JSON summary per scenario.

    python tests/parity/runner.py real   OUT.json WORK_DIR [NAME ...]   # parity venv
    python tests/parity/runner.py engine OUT.json WORK_DIR [NAME ...]   # main venv + shim
    python tests/parity/runner.py load   OUT.json EXPORT_BASE ...       # main venv (TF 2.21)

Each scenario runs in a fresh default graph and its own directory; the summary holds the
normalised trace, the logs a learner would notice, the files written, checkpoint keys,
shapes and dtypes, the result and the error (class and message).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import traceback
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if sys.argv[1:2] == ["real"]:  # TF 2.15 ships its own Keras 2; tf_keras is not installed
    os.environ.pop("TF_USE_LEGACY_KERAS", None)
else:
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1])]  # scenarios; ckptlab even when not installed

# log lines a learner is told to look for (facts.md); compared by presence and text
NOTABLE_LOGS = ("Could not find trained model", "Using temporary folder as model directory",
                "It seems that global step", "Skipping training since max_steps",
                "Warm-starting from")


class LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:
            return
        if any(marker in text for marker in NOTABLE_LOGS) and text not in self.lines:
            self.lines.append(text)


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root

    def dir(self, name: str) -> str:
        return str(self.root / name)


def install(side: str) -> list:
    """Make `tf.estimator` resolve to the side's Estimator; returns the live instance list."""
    if side == "real":
        from ckptlab.trace import real_estimator

        real_estimator.install()
    else:
        from ckptlab.estimator import shim

        shim.install_estimator_shim()
    import tensorflow
    import tensorflow.compat.v1 as tf

    instances: list = []
    v2_estimator = getattr(tensorflow, "estimator", None)
    classes = {tf.estimator.Estimator, getattr(v2_estimator, "Estimator", None)}
    for cls in filter(None, classes):
        original = cls.__init__

        def registering_init(self, *args, _original=original, **kwargs):
            _original(self, *args, **kwargs)
            if all(self is not known for known in instances):
                instances.append(self)
        cls.__init__ = registering_init
    return instances


def capture_logs() -> LogCapture:
    handler = LogCapture()
    for name in ("tensorflow", ""):
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        if name:
            logger.handlers = []
            logger.propagate = False
        logger.addHandler(handler)
    return handler


def forget_logged_once() -> None:
    """Reset TensorFlow's log_first_n counters (one process runs every scenario).

    StepCounterHook logs "It seems that global step ... has not been increased" only for
    the first 5 stale reads per process, and under load other scenarios may use them up.
    """
    from tensorflow.python.platform import tf_logging

    tf_logging._log_counter_per_token.clear()


def run_scenario(name, function, root: Path, instances: list, logs: LogCapture) -> dict:
    import tensorflow.compat.v1 as tf
    from collect import describe_dir, normalise_text, normalise_trace
    from scenarios import LOGS_COMPARED_ONLY_IN, rounded

    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    instances.clear()
    logs.lines = []
    forget_logged_once()
    summary: dict = {"result": None, "error": None}
    with tf.Graph().as_default():
        try:
            summary["result"] = function(Workspace(root))
        except Exception as error:
            summary["error"] = {"class": type(error).__name__, "message": str(error)}
    dirs = {str(root): "<work>"}
    outside = [Path(e.model_dir) for e in instances
               if e.model_dir and not Path(e.model_dir).resolve().is_relative_to(root.resolve())]
    for number, directory in enumerate(outside):
        dirs[str(directory)] = f"<temporary model_dir {number}>"
    summary["trace"] = normalise_trace([getattr(e, "recorder", None) or _NoRecorder()
                                        for e in instances])
    unstable = [marker for marker, where in LOGS_COMPARED_ONLY_IN.items() if name not in where]
    summary["logs"] = [normalise_text(line, dirs) for line in logs.lines
                       if not any(marker in line for marker in unstable)]
    if summary["error"]:
        summary["error"]["message"] = normalise_text(summary["error"]["message"], dirs)
    summary["dirs"] = {label: describe_dir(Path(path), rounded)
                       for path, label in dirs.items() if Path(path).exists()}
    return summary


class _NoRecorder:
    events: tuple = ()


def run_side(side: str, out: Path, work: Path, only: list[str]) -> None:
    instances = install(side)
    logs = capture_logs()
    from scenarios import SCENARIOS

    results = {}
    for name, function in SCENARIOS.items():
        if only and name not in only:
            continue
        try:
            results[name] = run_scenario(name, function, work / name, instances, logs)
        except Exception:
            results[name] = {"harness_error": traceback.format_exc()}
    out.write_text(json.dumps(results, indent=1, sort_keys=True))


def load_exports(out: Path, bases: list[str]) -> None:
    """Load each SavedModel with tf.saved_model.load (TF 2.21) and call serving_default."""
    import tensorflow as tf
    from scenarios import X, rounded

    loaded = {}
    for base in bases:
        try:
            export = next(p.parent for p in sorted(Path(base).rglob("saved_model.pb")))
            model = tf.saved_model.load(str(export))
            serve = model.signatures["serving_default"]
            outputs = serve(**{"x": tf.constant(X[:3])})
            loaded[base] = {"signatures": sorted(model.signatures.keys()),
                            "inputs": sorted(serve.structured_input_signature[1]),
                            "outputs": {key: [list(value.shape), value.dtype.name,
                                              rounded(value.numpy())]
                                        for key, value in sorted(outputs.items())}}
        except Exception as error:
            loaded[base] = {"error": f"{type(error).__name__}: {error}"[:2000]}
    out.write_text(json.dumps(loaded, indent=1, sort_keys=True))


if __name__ == "__main__":
    side, out_path, *rest = sys.argv[1:]
    if side == "load":
        load_exports(Path(out_path), rest)
    else:
        run_side(side, Path(out_path), Path(rest[0]), rest[1:])
