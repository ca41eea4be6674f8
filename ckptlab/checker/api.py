"""`ckptlab.check(...)` in a notebook: check functions in-process, safely.

Design (measured, see docs/findings.md): the learner's functions run in a worker
thread of the kernel, because a subprocess would pay the TensorFlow import (seconds)
and cannot receive functions defined in a notebook without cloudpickle. Isolation
comes from the thread: TensorFlow's default-graph stack and Keras 3's name counters
are thread-local, and the runners build every graph fresh. A watchdog enforces the
time limit: it raises CheckTimeout inside the thread (this stops pure-Python loops such
as `while True: pass`) and, if the thread is stuck in native code, gives up on it and
returns a TIMEOUT report so the kernel stays usable. A path to a .py file is checked
in the sandboxed subprocess like the CLI.
"""

from __future__ import annotations

import ctypes
import dataclasses
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ckptlab.checker.assemble import build_report, could_not_run, timed_out
from ckptlab.checker.findings import Report
from ckptlab.checker.judge import judge
from ckptlab.checker.limits import DEFAULT_TIMEOUT, Limits
from ckptlab.checker.scoring import scored
from ckptlab.checker.scratch import scratch_folder
from ckptlab.checker.stderr_capture import captured_stderr
from ckptlab.errors import UsageError
from ckptlab.exercises.answers import NOT_ANSWERED

__all__ = ["CheckTimeout", "check"]

GRACE_SECONDS = 3.0


class CheckTimeout(BaseException):
    """Raised inside the worker thread when the time limit is reached."""


def _interrupt(thread: threading.Thread) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident),
                                               ctypes.py_object(CheckTimeout))


def _functions(**given: Any) -> dict[str, Any]:
    names = {"model_fn": "model_fn", "params": "PARAMS", "restore_params": "RESTORE_PARAMS",
             "input_fn": "input_fn", "predict_many": "predict_many",
             "build_model": "build_model", "build_optimizer": "build_optimizer",
             "save": "save", "restore": "restore", "input_shape": "INPUT_SHAPE",
             "config": "CONFIG"}
    return {names[key]: value for key, value in given.items() if value is not None}


def _learner_files(functions: dict[str, Any]) -> set[str]:
    """The files (notebook cells) of the learner's functions and of every function of
    theirs these call."""
    from ckptlab.learner_code import code_origins

    return set(code_origins(functions.values()).values())


def _run_in_thread(track: str, functions: dict, timeout: float) -> tuple[dict, list, str]:
    from ckptlab.checker.runners.tracks import prepared, run_track

    latest: dict[str, Any] = {"obs": {"track": track}}
    outcome: dict[str, Any] = {}

    def work() -> None:
        with scratch_folder("check") as scratch:
            try:
                with prepared(track):
                    obs = run_track(track, functions, Path(scratch),
                                    _learner_files(functions),
                                    lambda stage, obs: latest.update(obs=obs))
                outcome["obs"] = judge(obs, scratch)
            except CheckTimeout:
                outcome["timeout"] = True
            except Exception as error:  # the runner itself failed: the check could not run
                outcome["crash"] = f"{type(error).__name__}: {error}"

    thread = threading.Thread(target=work, name="ckptlab-check", daemon=True)
    with captured_stderr() as stderr:  # a graded notebook cell must stay free of stderr
        thread.start()
        thread.join(timeout)
        stuck = thread.is_alive()
        if stuck:
            _interrupt(thread)
            thread.join(GRACE_SECONDS)
    extra, note = [], ""
    if stderr.learner_lines:
        note = "your code wrote to stderr: " + " / ".join(stderr.learner_lines[-3:])
    if stuck:
        extra.append(timed_out(latest["obs"], timeout))
        if thread.is_alive():
            note = ("the stopped code is still running in a background thread (stuck in "
                    "native code); restart the kernel if it slows you down")
    elif "crash" in outcome:
        extra.append(could_not_run(f"The checker failed: {outcome['crash']}.",
                                   "Report this to the ckptlab maintainers."))
    return outcome.get("obs", latest["obs"]), extra, note


def check(target: str | Callable | None = None, /, *, model_fn: Callable | None = None,
          params: dict | None = None, restore_params: dict | None = None,
          input_fn: Callable | None = None, predict_many: Callable | None = None,
          build_model: Callable | None = None, build_optimizer: Callable | None = None,
          save: Callable | None = None, restore: Callable | None = None,
          input_shape: tuple | None = None, config: dict | None = None,
          timeout: float = DEFAULT_TIMEOUT) -> Report:
    """Check learner code; returns a Report (shown as collapsible findings in Jupyter).

    check(model_fn, params=...)                       Estimator track (config: RunConfig
                                                      arguments as a dict)
    check(build_model=..., save=..., restore=...)     TF2 track
    check("exercise-id", model_fn=... | build_model=...)  graded against an exercise
    check("path/to/file.py")                          sandboxed subprocess, like the CLI
    """
    limits = Limits(timeout=timeout)  # (a time limit out of range is refused at once)
    exercise = ""
    if isinstance(target, (str, os.PathLike)):
        from ckptlab.exercises import EXERCISES

        if str(target) in EXERCISES:
            exercise = str(target)
        else:
            from ckptlab.checker.sandbox import check_file

            return check_file(target, limits)
    elif callable(target):
        model_fn = target
    functions = _functions(model_fn=model_fn, params=params, restore_params=restore_params,
                           input_fn=input_fn, predict_many=predict_many,
                           build_model=build_model, build_optimizer=build_optimizer,
                           save=save, restore=restore, input_shape=input_shape,
                           config=config)
    answered = True
    if exercise:
        from ckptlab.exercises import get_exercise
        from ckptlab.exercises.answers import answered_objects

        spec = get_exercise(exercise)
        answered = answered_objects(functions, spec.notebook, spec.defines)
        wanted = {"model_fn": model_fn, "predict_many": predict_many,
                  "build_model": build_model, "save": save, "restore": restore,
                  "CONFIG": config}
        missing = [n for n in spec.defines if wanted.get(n, True) is None]
        if missing:
            raise UsageError(f"Exercise {exercise} checks {', '.join(missing)}: pass "
                             f"{'them' if len(missing) > 1 else 'it'} to check().",
                             fix=f"ckptlab.check({exercise!r}, "
                             + ", ".join(f"{n.lower()}={n}" for n in missing) + ", ...)")
    if model_fn is not None:
        track = "estimator"
    elif build_model and save and restore:
        track = "tf2"
    else:
        raise UsageError("check() needs a model_fn, or build_model, save and restore.",
                         fix="e.g. ckptlab.check(model_fn, params={...}) or ckptlab.check("
                         "build_model=build_model, save=save, restore=restore)")
    names = [getattr(f, "__name__", "your code") for f in
             ((model_fn,) if model_fn is not None else (build_model, save, restore))]
    subject = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    if not answered and os.environ.get("NBGRADER_EXECUTION") in ("autograde", "validate"):
        # nbgrader is grading: the starter code earns nothing, running it teaches no one
        return scored(Report(track, subject, exercise=exercise, notes=(NOT_ANSWERED,),
                             answered=False))
    from ckptlab.checker.worker import check_in_worker, pickled

    payload, problem = pickled(functions)
    if payload:
        with captured_stderr():  # a graded notebook cell must stay free of stderr
            report = check_in_worker(track, payload, _learner_files(functions), subject,
                                     exercise, limits)
        notes = (*report.notes, *([] if answered else [NOT_ANSWERED]))
        return scored(dataclasses.replace(report, notes=notes, answered=answered))
    from ckptlab.quiet import import_tensorflow

    import_tensorflow()  # the check's TensorFlow chatter stays out of the learner's cell
    start = time.perf_counter()
    obs, extra, note = _run_in_thread(track, functions, limits.timeout)
    notes = (f"ran in this kernel, not isolated, because your functions could not be sent "
             f"to the checker's process ({problem})", *([note] if note else []),
             *([] if answered else [NOT_ANSWERED]))
    report = build_report(obs, subject, extra, exercise, notes)
    timings = {**report.timings, "total": round(time.perf_counter() - start, 3)}
    return scored(dataclasses.replace(report, timings=timings, answered=answered))
