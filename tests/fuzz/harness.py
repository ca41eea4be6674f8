"""Run ckptlab's reader on one input and classify what happened.

In-process for TF bundles (pure Python and numpy: nothing can abort the process); the
HDF5 library can, so `.weights.h5` inputs go to a worker process (h5_worker.py) that is
restarted when it dies. Every input is read the way the commands read it: inspect,
every variable's values, the text and JSON views, a dry-run restore, a diff.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from argparse import Namespace
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ckptlab.errors import CkptlabError

HANG_SECONDS = 10.0  # CPU seconds of this process (the shared machine's wall clock lies)
WALL_SECONDS = 120.0  # a blocked read uses no CPU: this catches it
MEMORY_SLACK = 50 << 20  # the target: peak within 2x the input + 50 MB
MAX_OUTPUT = 64 << 20  # characters all the commands together may print for one input
OK, REJECTED, CRASH, HANG, MEMORY, MODIFIED = ("ok", "rejected", "crash", "hang",
                                               "memory", "modified")
FAILURES = (CRASH, HANG, MEMORY, MODIFIED)


@dataclass
class Outcome:
    status: str
    detail: str = ""
    peak_bytes: int = 0
    input_bytes: int = 0
    cpu_seconds: float = 0.0


@dataclass
class Tally:
    """What a fuzz run saw, printed at the end of the session (tests/fuzz/conftest.py)."""

    counts: Counter = field(default_factory=Counter)
    peak_over_input: float = 0.0  # largest (peak - 2 x input) in MB
    slowest: float = 0.0  # wall-clock seconds of the slowest input
    most_cpu: float = 0.0  # CPU seconds of the costliest input
    seconds: float = 0.0

    def add(self, target: str, outcome: Outcome, seconds: float) -> None:
        self.counts[(target, outcome.status)] += 1
        self.slowest = max(self.slowest, seconds)
        self.most_cpu = max(self.most_cpu, outcome.cpu_seconds)
        self.seconds += seconds
        extra = (outcome.peak_bytes - 2 * outcome.input_bytes) / 2**20
        self.peak_over_input = max(self.peak_over_input, extra)


TALLY = Tally()


class _Hang(BaseException):
    """Raised by the timers: the input used HANG_SECONDS of CPU or WALL_SECONDS of time."""


def _alarm(signum, frame):
    raise _Hang()


def checksums(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def input_size(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


class _Sink(io.TextIOBase):
    """Counts what the commands print, keeps none of it."""

    def __init__(self):
        self.count = 0

    def write(self, text: str) -> int:
        self.count += len(text)
        return len(text)


def read_like_the_commands(path: str) -> int:
    """Run what `inspect` (text, --json, --values KEY with and without --json), `diff`
    and a dry-run restore run on `path`; returns how many characters they printed."""
    from ckptlab.checkpoint import inspect_checkpoint, match_restore
    from ckptlab.checkpoint.values import read_value
    from ckptlab.commands.checkpoint import _values_text, run_diff, run_inspect, values_payload
    from ckptlab.render.checkpoint import match_text

    sink = _Sink()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        for as_json in (False, True):
            run_inspect(Namespace(path=path, json=as_json, values=None))
            run_diff(Namespace(a=path, b=path, json=as_json))
        index = inspect_checkpoint(path)
        for variable in index.variables[:64]:
            print(json.dumps(values_payload(index, variable.key), allow_nan=False))
            print(_values_text(read_value(index, variable.key)))
        specs = [(v.key, v.shape, v.dtype) for v in index.variables[:8]]
        print(match_text(match_restore(index, specs)))
    return sink.count


def classify(error: BaseException) -> Outcome:
    if isinstance(error, CkptlabError):
        text = str(error)
        if "Fix:" not in text or "Traceback" in text:
            return Outcome(CRASH, f"an unclear message: {text[:300]}")
        return Outcome(REJECTED, text.splitlines()[0][:200])
    return Outcome(CRASH, f"{type(error).__name__}: {str(error)[:300]}")


def _status(field: str) -> int:
    """A /proc/self/status figure in bytes (VmRSS, VmHWM, VmSize)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS (Linux >= 4.0)


def _warm_up() -> None:
    """Let OpenBLAS allocate its buffers before any limit is set (it aborts the process
    when its first allocation fails, which would be the harness's doing, not the reader's)."""
    import numpy as np

    np.linalg.norm(np.ones((64, 64)) @ np.ones((64, 64)))


def run_in_process(directory: Path, target: str) -> Outcome:
    """Read `target` (inside `directory`) in this process, bounded in time and memory:
    timers stop it after HANG_SECONDS of CPU time or WALL_SECONDS of wall-clock time (a
    loop burns CPU, a blocked read does not); the address space may grow by 2x the input +
    50 MB at most (RLIMIT_AS); the peak resident memory is measured (VmHWM)."""
    _warm_up()
    before, size = checksums(directory), input_size(directory)
    previous = {number: signal.signal(number, _alarm)
                for number in (signal.SIGALRM, signal.SIGPROF)}
    limits = resource.getrlimit(resource.RLIMIT_AS)
    _reset_peak()
    resident = _status("VmRSS")
    resource.setrlimit(resource.RLIMIT_AS, (_status("VmSize") + 2 * size + MEMORY_SLACK,
                                            limits[1]))
    started = time.process_time()
    signal.setitimer(signal.ITIMER_PROF, HANG_SECONDS)
    signal.setitimer(signal.ITIMER_REAL, WALL_SECONDS)
    try:
        printed = read_like_the_commands(target)
        outcome = Outcome(OK) if printed <= MAX_OUTPUT else Outcome(
            CRASH, f"the commands printed {printed:,} characters")
    except _Hang:
        outcome = Outcome(HANG, f"more than {HANG_SECONDS} s of CPU or {WALL_SECONDS} s")
    except MemoryError:
        outcome = Outcome(MEMORY, "an allocation past 2x the input + 50 MB")
    except BaseException as error:
        outcome = classify(error)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        resource.setrlimit(resource.RLIMIT_AS, limits)
        for number, handler in previous.items():
            signal.signal(number, handler)
    cpu = time.process_time() - started
    peak = max(_status("VmHWM") - resident, 0)
    outcome.peak_bytes, outcome.input_bytes, outcome.cpu_seconds = peak, size, cpu
    if outcome.status not in FAILURES and peak > 2 * size + MEMORY_SLACK:
        outcome = Outcome(MEMORY, f"peak {peak / 2**20:.0f} MB for {size:,} input bytes",
                          peak, size)
    if checksums(directory) != before:
        outcome = Outcome(MODIFIED, "the reader changed the input files", peak, size)
    return outcome


class H5Worker:
    """A child process that reads .weights.h5 files (HDF5 can abort a process)."""

    def __init__(self):
        self.process: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        return subprocess.Popen([sys.executable, "-m", "tests.fuzz.h5_worker"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                env=env)

    def run(self, directory: Path, target: str) -> Outcome:
        before = checksums(directory)
        if self.process is None or self.process.poll() is not None:
            self.process = self._start()
        self.process.stdin.write(json.dumps({"path": target}) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], WALL_SECONDS + 20)
        if not ready:
            self.close()
            return Outcome(HANG, f"the worker gave no answer in {WALL_SECONDS + 20} s")
        line = self.process.stdout.readline()
        if not line:
            code = self.process.wait()
            self.process = None
            return Outcome(CRASH, f"the reader's process died (exit {code}, signal "
                                  f"{signal.Signals(-code).name if code < 0 else '-'})")
        outcome = Outcome(**json.loads(line))
        if checksums(directory) != before:
            outcome = Outcome(MODIFIED, "the reader changed the input file")
        return outcome

    def close(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


FAILURES_KEPT = Path(tempfile.gettempdir()) / "ckptlab-fuzz-failures"


def keep_failure(directory: Path, target: str, outcome: Outcome) -> Path:
    """Copy a failing input aside (with what happened) to reproduce it."""
    FAILURES_KEPT.mkdir(exist_ok=True)
    kept = Path(tempfile.mkdtemp(prefix=f"{outcome.status}-", dir=FAILURES_KEPT))
    shutil.copytree(directory, kept / "input", symlinks=True)
    (kept / "outcome.txt").write_text(f"{outcome.status}: {outcome.detail}\n"
                                      f"target: {target}\n")
    return kept


def timed(run, *args) -> tuple[Outcome, float]:
    start = time.perf_counter()
    outcome = run(*args)
    return outcome, time.perf_counter() - start
