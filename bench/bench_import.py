"""`import ckptlab` cost against a bare interpreter start (target: adds < 0.3 s)."""

from __future__ import annotations

import subprocess
import sys
import time

from bench.harness import Result, Timing


def _wall(code: str, repeat: int) -> Timing:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        samples.append(time.perf_counter() - start)
    return Timing.of(samples)


def run(quick: bool = False) -> list[Result]:
    repeat = 5 if quick else 15
    bare = _wall("pass", repeat)
    with_ckptlab = _wall("import ckptlab", repeat)
    added = with_ckptlab.median - bare.median
    return [Result(
        benchmark="import ckptlab", measure="time", unit="s", value=with_ckptlab,
        baseline_name="python -c pass", baseline=bare,
        target="adds < 0.3 s", met=added < 0.3, notes=f"adds {added:.3f} s",
    )]
