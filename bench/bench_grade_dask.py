"""`ckptlab grade` on Dask distributed: throughput per worker.

The same batch of submissions is graded, in one run, by
- the thread engine (`--engine threads`): the baseline;
- the default engine (`--engine dask`): a LocalCluster in the grading process;
- a running cluster of worker processes (`dask scheduler` + `dask worker --nworkers N`
  on 127.0.0.1, `--scheduler ADDRESS`), the path of a real cluster: its first batch
  (each worker process starts its warm runner, i.e. imports TensorFlow) and a second
  batch on the same, now warm, workers.
Every engine runs each submission in the same sandboxed child process, so the ratios
are the cost of Dask itself. Target: the default engine no slower than threads. On a
shared machine the load drifts: threads and the default engine alternate (threads,
default, default, threads) and each figure is the median of its runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.harness import Result, Timing

SUBMISSIONS = Path(__file__).resolve().parents[1] / "tests" / "submissions"
EXERCISE = "tf2-round-trip"
SLACK = 0.95  # "no slower": within 5 % of threads, a single measurement on a shared machine


def _throughput(batch: Path, out: Path, workers: int, count: int, *engine: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ckptlab", "grade", str(batch), "--exercise",
                    EXERCISE, "--out", str(out), "--workers", str(workers), *engine],
                   check=True, capture_output=True)
    return count / (time.perf_counter() - start) * 60


@contextlib.contextmanager
def _cluster(workers: int, scratch: Path) -> Iterator[str]:
    """A scheduler and `workers` worker processes (with nannies) on 127.0.0.1."""
    info = scratch / "scheduler.json"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler",
                                  "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                  "--scheduler-file", str(info)], **quiet)
    worker = None
    try:
        while not info.exists() or not info.read_text():
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker",
                                   address, "--nworkers", str(workers), "--nthreads", "1",
                                   "--memory-limit", "0", "--no-dashboard",
                                   "--host", "127.0.0.1"], cwd=scratch, **quiet)
        from distributed import Client

        with Client(address) as client:
            client.wait_for_workers(workers, timeout=300)
        yield address
    finally:
        for process in (worker, scheduler):
            if process is not None:
                process.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(30)
                if process.poll() is None:
                    process.kill()


def _result(name: str, count: int, workers: int, figure: float, threads: float,
            target: bool, runs: dict[str, list[float]] | None = None) -> Result:
    each = "".join(f"; {engine} runs " + ", ".join(f"{value:.1f}" for value in values)
                   for engine, values in (runs or {}).items())
    return Result(
        f"ckptlab grade {count} submissions, {name}, {workers} worker(s)", "throughput",
        "submissions/min", Timing.of([figure]),
        baseline_name=f"thread engine, {workers} worker(s)", baseline=Timing.of([threads]),
        target=">= 0.95x threads" if target else "",
        met=(figure >= SLACK * threads) if target else None,
        notes=f"{figure / workers:.1f} submissions/min per worker (threads: "
              f"{threads / workers:.1f}){each}; load average {os.getloadavg()[0]:.1f}")


def run(quick: bool = False) -> list[Result]:
    count = 4 if quick else 8
    results = []
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        batch = scratch / "batch"
        batch.mkdir()
        sources = sorted((SUBMISSIONS / EXERCISE).glob("*.py"))
        for number in range(count):
            shutil.copy(sources[number % len(sources)], batch / f"learner{number:02d}.py")
        for workers in (1, 2):
            out, runs = scratch / f"out{workers}", {"threads": [], "dask": []}
            for number, engine in enumerate(("threads", "dask", "dask", "threads")):
                runs[engine].append(_throughput(batch, out / str(number), workers, count,
                                                "--engine", engine))
            threads, dask = (statistics.median(runs[engine]) for engine in ("threads", "dask"))
            results.append(_result("Dask LocalCluster (default)", count, workers, dask,
                                   threads, target=True, runs=runs))
        with _cluster(2, scratch) as address:
            cold = _throughput(batch, scratch / "c1", 2, count, "--scheduler", address)
            warm = _throughput(batch, scratch / "c2", 2, count, "--scheduler", address)
        results.append(_result("running Dask cluster (worker processes), first batch",
                                   count, 2, cold, threads, target=False))
        results.append(_result("running Dask cluster, second batch (workers warm)",
                               count, 2, warm, threads, target=False))
    return results
