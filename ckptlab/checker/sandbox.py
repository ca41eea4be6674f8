"""Run a submission file in a child process with a time limit and a memory limit.

The file is copied into a fresh temporary folder (the learner's file is never touched)
and run there by `ckptlab.checker.runners.child`, which streams one JSON line per stage.
Limits are enforced from here by polling, with no cgroups: the wall clock, and the
child's resident memory (VmRSS from /proc) — RLIMIT_AS is not used because TensorFlow
reserves far more virtual memory than it touches. Whatever the child wrote before a
timeout, a kill or a crash is diagnosed like a finished run.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ckptlab.checker.assemble import build_report, could_not_run, crashed, timed_out
from ckptlab.checker.explain.exceptions import finding_for_error
from ckptlab.checker.findings import Report
from ckptlab.checker.submission import (
    TRACK_ENTRY_POINTS,
    defined_names,
    detect_track,
    read_source,
)

__all__ = ["DEFAULT_MEMORY_MB", "DEFAULT_TIMEOUT", "Limits", "check_file"]

DEFAULT_TIMEOUT = 120.0
DEFAULT_MEMORY_MB = 2048
POLL_SECONDS = 0.05
OUTPUT_TAIL_LINES = 6
# TensorFlow's C++ log lines (with process ids and times): noise for a learner
_NOISE = re.compile(r"^([IWEF]\d{4} |WARNING: All log messages before absl)")


@dataclass(frozen=True)
class Limits:
    timeout: float = DEFAULT_TIMEOUT
    memory_mb: int = DEFAULT_MEMORY_MB


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.wait()


def _read_results(path: Path) -> tuple[dict, bool, bool]:
    """(last observations, finished, started): started is False when the child never ran."""
    obs: dict = {}
    done = started = False
    if path.exists():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                item = json.loads(line)
            except ValueError:
                continue  # a line cut short by a kill
            obs = item.get("obs", obs)
            done = done or bool(item.get("done"))
            started = True
    return obs, done, started


def _child_env(track: str) -> dict[str, str]:
    package_root = str(Path(__file__).resolve().parents[2])  # the same ckptlab as here
    path = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONHASHSEED": "0",
           "CUDA_VISIBLE_DEVICES": "-1", "PYTHONPATH": path}
    # Which Keras backs tf.keras is the checker's choice, not the caller's: the TF2 track
    # checks Keras 3 code, and TF 2.15 fails to import with the variable set.
    env.pop("TF_USE_LEGACY_KERAS", None)
    if track == "estimator" and importlib.util.find_spec("tf_keras") is not None:
        # TF >= 2.16: tf.compat.v1.layers needs tf_keras, chosen before TF is imported
        # (TF 2.15, with its own tf.estimator and Keras 2, needs nothing)
        env["TF_USE_LEGACY_KERAS"] = "1"
    return env


def _watch(process: subprocess.Popen, limits: Limits) -> str:
    """'' when the child ended by itself, else why it was stopped."""
    deadline = time.monotonic() + limits.timeout
    while process.poll() is None:
        if time.monotonic() > deadline:
            _kill(process)
            return "timeout"
        if _rss_mb(process.pid) > limits.memory_mb:
            _kill(process)
            return f"memory limit of {limits.memory_mb} MB exceeded"
        time.sleep(POLL_SECONDS)
    return ""


def _output_tail(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()
             and not _NOISE.match(line.strip())]
    return " / ".join(lines[-OUTPUT_TAIL_LINES:])


def _exit_cause(code: int) -> str:
    if code < 0:
        return f"killed by signal {signal.Signals(-code).name}"
    return f"exit code {code}"


def _missing_for_exercise(exercise: str, source: str) -> list[str]:
    if not exercise:
        return []
    from ckptlab.exercises import get_exercise

    return [name for name in get_exercise(exercise).defines if name not in defined_names(source)]


def check_file(path: str | Path, limits: Limits | None = None, exercise: str = "") -> Report:
    """Check one submission file in a sandboxed child process."""
    path, limits = Path(path), limits or Limits()
    source = read_source(path)
    try:
        ast.parse(source)
    except SyntaxError as error:
        problem = {"stage": "load", "type": "SyntaxError", "message": str(error.msg),
                   "location": f"{path.name}, line {error.lineno}"}
        return Report("unknown", path.name, (finding_for_error(problem, "unknown"),),
                      exercise=exercise)
    track = detect_track(source)
    missing = _missing_for_exercise(exercise, source)
    if missing:
        finding = could_not_run(f"Exercise {exercise} needs {', '.join(missing)}, which "
                                f"{path.name} does not define.",
                                f"Define {', '.join(missing)} at the top level of the file.")
        return Report(track, path.name, (finding,), exercise=exercise)
    if track == "unknown":
        entries = " or ".join(TRACK_ENTRY_POINTS.values())
        finding = could_not_run(f"{path.name} defines neither {entries}, so there is nothing "
                                "to check.", f"Define {entries} at the top level of the file.")
        return Report("unknown", path.name, (finding,), exercise=exercise)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ckptlab-check-") as scratch:
        folder = Path(scratch)
        copy = folder / f"{path.stem}.py"
        copy.write_text(source, encoding="utf-8")
        results, log = folder / "results.jsonl", folder / "output.txt"
        with log.open("w") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "ckptlab.checker.runners.child", str(copy), str(results),
                 track], cwd=folder, env=_child_env(track), stdout=output,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
            stopped = _watch(process, limits)
        obs, done, started = _read_results(results)
        tail = _output_tail(log.read_text(errors="replace"))
        shutil.rmtree(folder / "work", ignore_errors=True)
    obs.setdefault("track", track)
    extra = []
    if not started and stopped != "timeout":
        extra.append(could_not_run("The checker's child process could not start.",
                                   "Check the installation of ckptlab in this Python.",
                                   {"last output": tail}))
    elif stopped == "timeout":
        extra.append(timed_out(obs, limits.timeout))
    elif stopped or not done:
        extra.append(crashed(obs, stopped or _exit_cause(process.returncode), tail))
    report = build_report(obs, path.name, extra, exercise)
    timings = {**report.timings, "total": round(time.perf_counter() - start, 3)}
    return Report(report.track, report.subject, report.findings, timings, report.stages,
                  report.exercise, report.notes)
