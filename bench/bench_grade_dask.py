"""`ckptlab grade` on Dask distributed: throughput per worker, and what Dask costs.

The same batch of submissions is graded, in one run, by
- the thread engine (`--engine threads`): the baseline;
- the default engine (`--engine dask`): a LocalCluster in the grading process, with
  ckptlab's settings (ckptlab.classroom.distributed.LOCAL_CLUSTER_CONFIG: no profiler,
  slower watchdogs, no memory monitor);
- the same LocalCluster with Dask's own settings (ckptlab's before), to show what they
  cost;
- a running cluster of worker processes (`dask scheduler` + `dask worker --nworkers N`
  on 127.0.0.1, `--scheduler ADDRESS`), the path of a real cluster: its first batch
  (each worker process starts its warm runner, i.e. imports TensorFlow) and a second
  batch on the same, now warm, workers.
Every engine runs each submission in the same sandboxed child process, so the ratios
are the cost of Dask itself.

On a shared machine the wall time drifts with the load, so besides it each run measures
CPU seconds, which the load changes far less: of the whole process tree (a cpuacct
cgroup of its own, or, where none can be made, the children's rusage), and of the
grading process alone (its /proc/PID/stat, read every 0.1 s until it exits). The
engines take turns, in a rotating order, for `repeats` rounds; each figure is the median
of its runs. Target: the default engine no slower than threads.
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
from dataclasses import dataclass
from pathlib import Path

from bench.harness import Result, Timing

SUBMISSIONS = Path(__file__).resolve().parents[1] / "tests" / "submissions"
EXERCISE = "tf2-round-trip"
SLACK = 0.95  # "no slower": within 5 %, a median of few runs on a shared machine
CPUACCT = Path("/sys/fs/cgroup/cpuacct")
TICK = os.sysconf("SC_CLK_TCK")
# `ckptlab grade` with Dask's own settings for our LocalCluster (ckptlab's before 2026-12)
DASK_DEFAULTS = ("import sys; import ckptlab.classroom.distributed as engine; "
                 "engine.LOCAL_CLUSTER_CONFIG = {}; engine.LOCAL_WORKER_MEMORY_LIMIT = 'auto'; "
                 "from ckptlab.cli import main; sys.exit(main(sys.argv[1:]))")
ENGINES = {"threads": (("-m", "ckptlab"), ("--engine", "threads")),
           "dask": (("-m", "ckptlab"), ("--engine", "dask")),
           "dask, Dask's defaults": (("-c", DASK_DEFAULTS), ("--engine", "dask"))}


@dataclass(frozen=True)
class Run:
    wall: float  # s
    tree_cpu: float  # s of CPU, the grading process and every descendant
    grader_cpu: float  # s of CPU, the grading process alone (all its threads)


def _own_cpu(pid: int) -> float | None:
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
    return None


def _wait_empty(group: Path, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while (group / "cgroup.procs").read_text().split() and time.monotonic() < deadline:
        time.sleep(0.1)


@contextlib.contextmanager
def _cpu_group(name: str) -> Iterator[Path | None]:
    """A cpuacct cgroup (v1) for one run, removed after; None where none can be made."""
    group = CPUACCT / name
    try:
        group.mkdir()
    except OSError:
        yield None
        return
    try:
        yield group
    finally:
        _wait_empty(group)
        with contextlib.suppress(OSError):
            group.rmdir()


def _grade(batch: Path, out: Path, workers: int, start: tuple[str, ...],
           engine: tuple[str, ...]) -> Run:
    """`ckptlab grade` of the batch, measured. start: how the interpreter runs ckptlab
    (ENGINES); engine: `--engine NAME` or `--scheduler ADDRESS`."""
    command = [sys.executable, *start, "grade", str(batch), "--exercise", EXERCISE,
               "--out", str(out), "--workers", str(workers), *engine]
    name = f"ckptlab-bench-{os.getpid()}-{time.monotonic_ns()}"
    with _cpu_group(name) as group, tempfile.TemporaryFile() as errors:
        join = (lambda: (group / "cgroup.procs").write_text(str(os.getpid()))) if group else None
        before = os.times()
        began = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors,
                                   preexec_fn=join)
        grader = 0.0
        while process.poll() is None:
            grader = max(grader, _own_cpu(process.pid) or 0.0)
            time.sleep(0.1)
        wall = time.perf_counter() - began
        after = os.times()
        if process.returncode:
            errors.seek(0)
            raise RuntimeError(f"{command} failed: {errors.read().decode()[-2000:]}")
        if group is None:
            return Run(wall, after.children_user + after.children_system
                       - before.children_user - before.children_system, grader)
        _wait_empty(group)  # the warm runner may outlive its grader by a moment
        return Run(wall, int((group / "cpuacct.usage").read_text()) / 1e9, grader)


# In a fresh interpreter: our LocalCluster (with argv[1]'s settings: "ckptlab" or "dask")
# while two tasks wait 8 s, as checks wait on their sandboxes; prints its CPU % of a core.
IDLE = """
import logging, sys, time
import dask
from distributed import Client, LocalCluster
import ckptlab.classroom.distributed as engine
ours = sys.argv[1] == "ckptlab"
with dask.config.set(engine.LOCAL_CLUSTER_CONFIG if ours else {}):
    cluster = LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                           dashboard_address=None, silence_logs=logging.ERROR,
                           memory_limit=engine.LOCAL_WORKER_MEMORY_LIMIT if ours else "auto")
client = Client(cluster)
waits = [client.submit(time.sleep, 8, pure=False) for _ in range(2)]
time.sleep(0.5)
cpu, wall = time.process_time(), time.perf_counter()
client.gather(waits)
print(100 * (time.process_time() - cpu) / (time.perf_counter() - wall))
"""


def _idle_cost(settings: str) -> float:
    done = subprocess.run([sys.executable, "-c", IDLE, settings], capture_output=True,
                          text=True, check=True)
    return float(done.stdout.split()[-1])


def _idle_results(repeats: int) -> list[Result]:
    cost: dict[str, list[float]] = {"ckptlab": [], "dask": []}
    for settings in _rounds(list(cost), repeats):
        cost[settings].append(_idle_cost(settings))
    return [Result("Dask LocalCluster in the grading process, 2 tasks waiting 8 s",
                   "CPU of its event loop", "% of a core", Timing.of(cost["ckptlab"]),
                   baseline_name="the same with Dask's default settings",
                   baseline=Timing.of(cost["dask"]),
                   notes="ckptlab's settings runs " + ", ".join(f"{v:.2f}" for v in cost["ckptlab"])
                   + "; Dask's " + ", ".join(f"{v:.2f}" for v in cost["dask"]) + "; " + _load())]


def _rounds(engines: list[str], repeats: int) -> list[str]:
    """Each engine once per round, the order rotating: A B C, B C A, C A B, ..."""
    return [engines[(round_ + i) % len(engines)]
            for round_ in range(repeats) for i in range(len(engines))]


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


def _median(runs: list[Run], field: str, per: float = 1) -> float:
    return statistics.median(getattr(run, field) for run in runs) / per


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


def _compare(name: str, count: int, workers: int, runs: list[Run], threads: list[Run],
             target: bool, load: str, cpu: bool = True) -> list[Result]:
    """Throughput and CPU seconds per submission of `runs` against the thread engine's
    (cpu=False: a running cluster's workers are not this run's processes)."""
    rate = [count / run.wall * 60 for run in runs]
    base = [count / run.wall * 60 for run in threads]
    title = f"ckptlab grade {count} submissions, {name}, {workers} worker(s)"
    baseline = f"thread engine, {workers} worker(s)"
    each = ", ".join(f"{value:.2f}" for value in rate)
    results = [Result(
        title, "throughput", "submissions/min", Timing.of(rate), baseline_name=baseline,
        baseline=Timing.of(base), target=">= 0.95x threads" if target else "",
        met=(statistics.median(rate) >= SLACK * statistics.median(base)) if target else None,
        notes=f"{statistics.median(rate) / workers:.2f} submissions/min per worker "
              f"(threads: {statistics.median(base) / workers:.2f}); runs {each}, threads "
              + ", ".join(f"{value:.2f}" for value in base) + f"; {load}")]
    for field, what in () if not cpu else (("tree_cpu", "CPU s per submission, whole process tree"),
                        ("grader_cpu", "CPU s per submission, grading process alone")):
        mine, theirs = ([getattr(run, field) / count for run in group] for group in (runs, threads))
        results.append(Result(title, what, "s", Timing.of(mine), baseline_name=baseline,
                              baseline=Timing.of(theirs),
                              notes="runs " + ", ".join(f"{v:.2f}" for v in mine)
                              + "; threads " + ", ".join(f"{v:.2f}" for v in theirs)))
    return results


def run(quick: bool = False, repeats: int | None = None, count: int | None = None,
        worker_counts: tuple[int, ...] = (1, 2), engines: tuple[str, ...] = tuple(ENGINES),
        cluster: bool = True) -> list[Result]:
    """repeats: rounds of the engines (each once per round); count: submissions per batch;
    engines: of ENGINES ("threads" always runs, the baseline)."""
    count = count or (4 if quick else 8)
    engines = ("threads", *(engine for engine in engines if engine != "threads"))
    repeats = repeats or (1 if quick else 5)
    results = _idle_results(repeats)
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        batch = scratch / "batch"
        batch.mkdir()
        sources = sorted((SUBMISSIONS / EXERCISE).glob("*.py"))
        for number in range(count):
            shutil.copy(sources[number % len(sources)], batch / f"learner{number:02d}.py")
        threads: list[Run] = []
        for workers in worker_counts:
            runs: dict[str, list[Run]] = {engine: [] for engine in engines}
            loads = [os.getloadavg()[0]]
            for number, engine in enumerate(_rounds(list(engines), repeats)):
                runs[engine].append(_grade(batch, scratch / f"out{workers}-{number}", workers,
                                           *ENGINES[engine]))
                loads.append(os.getloadavg()[0])
            load = f"load average {min(loads):.1f}-{max(loads):.1f} (1 min)"
            threads = runs["threads"]
            for engine in engines[1:]:
                label = ("Dask LocalCluster (default)" if engine == "dask"
                         else "Dask LocalCluster with Dask's default settings")
                results += _compare(label, count, workers, runs[engine], threads,
                                    target=engine == "dask", load=load)
        if cluster:
            with _cluster(2, scratch) as address:
                there = ("--scheduler", address)
                cold = _grade(batch, scratch / "c1", 2, ("-m", "ckptlab"), there)
                warm = _grade(batch, scratch / "c2", 2, ("-m", "ckptlab"), there)
            if 2 not in worker_counts:
                threads = [_grade(batch, scratch / "t2", 2, *ENGINES["threads"])]
            results += _compare("running Dask cluster (worker processes), first batch",
                                count, 2, [cold], threads, target=False, load=_load(), cpu=False)
            results += _compare("running Dask cluster, second batch (workers warm)",
                                count, 2, [warm], threads, target=False, load=_load(), cpu=False)
    return results
