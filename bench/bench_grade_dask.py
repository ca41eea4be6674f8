"""`ckptlab grade` on Dask distributed: throughput per worker.

The same batch of submissions is graded on a Dask LocalCluster (127.0.0.1) and, as the
baseline measured in the same run, with the local thread engine and the same number of
workers. Both run each submission in the same sandboxed child process, so the ratio is
the cost of Dask itself (cluster start, shipping files and results). No target: on one
machine the sandboxed TensorFlow processes, not the engine, bound the throughput.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import Result, Timing

SUBMISSIONS = Path(__file__).resolve().parents[1] / "tests" / "submissions"
EXERCISE = "tf2-round-trip"


def _throughput(batch: Path, out: Path, engine: str, workers: int, count: int) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ckptlab", "grade", str(batch), "--exercise",
                    EXERCISE, "--out", str(out), "--workers", str(workers), "--engine",
                    engine], check=True, capture_output=True)
    return count / (time.perf_counter() - start) * 60


def run(quick: bool = False) -> list[Result]:
    count = 4 if quick else 12
    results = []
    with tempfile.TemporaryDirectory() as scratch:
        batch = Path(scratch) / "batch"
        batch.mkdir()
        sources = sorted((SUBMISSIONS / EXERCISE).glob("*.py"))
        for number in range(count):
            shutil.copy(sources[number % len(sources)], batch / f"learner{number:02d}.py")
        for workers in (1, 2):
            threads = _throughput(batch, Path(scratch) / f"t{workers}", "threads", workers,
                                  count)
            dask = _throughput(batch, Path(scratch) / f"d{workers}", "dask", workers, count)
            results.append(Result(
                f"ckptlab grade {count} submissions on Dask, {workers} worker(s)",
                "throughput", "submissions/min", Timing.of([dask]),
                baseline_name=f"thread engine, {workers} worker(s)",
                baseline=Timing.of([threads]),
                notes=f"{dask / workers:.1f} submissions/min per worker"))
    return results
