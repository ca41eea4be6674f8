"""What every benchmark shares: repeated timing, peak memory, and the result record.

A benchmark module `bench/bench_<topic>.py` defines `run(quick: bool) -> list[Result]`.
Each Result compares a figure with a baseline measured in the same run (a ratio), and
states its target; an unmet target is reported, never hidden.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Timing:
    median: float
    minimum: float
    maximum: float
    samples: tuple[float, ...]

    @classmethod
    def of(cls, samples: Sequence[float]) -> Timing:
        return cls(statistics.median(samples), min(samples), max(samples), tuple(samples))


@dataclass(frozen=True)
class Result:
    benchmark: str  # e.g. "inspect 20k variables"
    measure: str  # e.g. "time", "peak memory"
    unit: str  # "s", "MB", "ms/example"
    value: Timing
    baseline_name: str = ""
    baseline: Timing | None = None
    target: str = ""  # human text, e.g. "<= 1.2x list_variables"
    met: bool | None = None  # None when the benchmark has no target
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline.median == 0:
            return None
        return self.value.median / self.baseline.median

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = self.ratio
        return data


def time_calls(function: Callable[[], Any], repeat: int, warmup: int = 1) -> Timing:
    """Median/min/max wall time of `function()` over `repeat` runs after `warmup` runs."""
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return Timing.of(samples)


@dataclass(frozen=True)
class ProcessRun:
    seconds: float
    peak_mb: float
    returncode: int
    stdout: str
    stderr: str


def run_measured(command: Sequence[str], env: dict[str, str] | None = None,
            timeout: float = 600) -> ProcessRun:
    """Run a command in a fresh wrapper process: wall time and its own peak RSS (MB)."""
    wrapper = (
        "import resource, subprocess, sys, time, json\n"
        "start = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "seconds = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps([seconds, peak, p.returncode, p.stdout[-20000:], p.stderr[-20000:]]))\n"
    )
    outer = subprocess.run([sys.executable, "-c", wrapper, *command], capture_output=True,
                           text=True, env={**os.environ, **(env or {})}, timeout=timeout)
    seconds, peak, code, out, err = json.loads(outer.stdout)
    return ProcessRun(seconds, peak, code, out, err)
