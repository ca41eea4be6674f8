"""`ckptlab trace FILE.py [--json]`: run the mode tracer on a learner's model_fn file.

FILE defines `model_fn` and optionally `PARAMS`, `FEATURES` and `LABELS` (see
`trace_modes`). The legacy shim is installed before FILE runs, so `tf.estimator` code
works on TensorFlow 2.21. Errors in FILE become a readable message (exit code 2); the
exit code is 1 when the trace has findings, 0 when the modes agree.
"""

from __future__ import annotations

import os
import runpy
from pathlib import Path
from typing import Any

from ckptlab.errors import UsageError
from ckptlab.learner_code import error_frame, location

__all__ = ["run_trace"]


def _install_shim() -> None:
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # before TensorFlow is imported
    try:
        from ckptlab.estimator.shim import install_estimator_shim
    except ImportError:  # the engine's shim is not there: plain tf.compat.v1 still works
        return
    install_estimator_shim()


def _line_in(path: Path, error: BaseException) -> str:
    frame = error_frame(error, {str(path)})
    return f" ({location(frame)}: {(frame.line or '').strip()})" if frame else ""


def run_learner_file(path: Path) -> dict[str, Any]:
    """Execute FILE as a script (nothing is written next to it); its globals."""
    if not path.is_file():
        raise UsageError(f"No such file: {path}.", fix="pass the path of a .py file that "
                         "defines model_fn", received=str(path))
    try:
        return runpy.run_path(str(path), run_name="__ckptlab_trace__")
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # SystemExit too: the learner's file must not end us
        raise UsageError(
            f"{path.name} failed while ckptlab ran it{_line_in(path, error)}: "
            f"{type(error).__name__}: {str(error).strip()[:500]}",
            fix=f"run `python {path}` to see the full error and fix it first",
            received=str(path)) from None


def run_trace(args: Any) -> int:
    path = Path(args.file)
    _install_shim()
    namespace = run_learner_file(path)
    model_fn = namespace.get("model_fn")
    if not callable(model_fn):
        raise UsageError(f"{path.name} defines no model_fn function.",
                         fix="define `def model_fn(features, labels, mode, params): ...` in it",
                         received=sorted(n for n in namespace if not n.startswith("__")))
    from ckptlab.trace.modes import trace_modes

    report = trace_modes(model_fn, params=namespace.get("PARAMS"),
                         features=namespace.get("FEATURES"), labels=namespace.get("LABELS"))
    print(report.to_json() if args.json else str(report))
    return 0 if report.comparison.clean else 1
