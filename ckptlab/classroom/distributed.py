"""Run `ckptlab grade`'s submissions on Dask distributed.

Every submission is one Dask task. The task carries the file's bytes (workers need not
share a file system with the machine that grades), writes them into a scratch folder of
the worker and checks them there with the same sandboxed child process as local grading
(`ckptlab.checker.grade.grade_submission`). Each task only waits on that child.

Without a scheduler address, a LocalCluster is started and closed again: ONE
worker in this process with `workers` threads. Worker processes would add no isolation
(every submission already runs in a sandboxed process of its own) and cost, on one
machine, what made the process cluster slower than threads (measured, bench_grade_dask):
each worker process is spawned afresh, imports distributed and ckptlab again and starts
its own warm runner, i.e. imports TensorFlow once per worker, on the same cores the
checks need. In this process the checks share one warm runner, as with threads.

The warm runner of the exercise's track is started before the first task needs it: here
while Dask is imported and starts (ckptlab.classroom.grading); on a cluster (`scheduler`)
by a worker plugin on every worker, and it stays warm there for the next `ckptlab grade`
on the same cluster.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import dask
from distributed import Client, LocalCluster
from distributed.diagnostics.plugin import WorkerPlugin

from ckptlab.checker.grade import GradeRow, grade_submission
from ckptlab.checker.sandbox import Limits
from ckptlab.classroom.learners import Submission
from ckptlab.classroom.results import failed
from ckptlab.classroom.warming import warm_up
from ckptlab.exercises import Exercise

__all__ = ["LOCAL_CLUSTER_CONFIG", "LOCAL_WORKER_MEMORY_LIMIT", "WarmRunnerPlugin", "grade_bytes",
           "grade_on_dask"]

# Dask settings for the LocalCluster we start, and only for it (a --scheduler cluster
# keeps its own). Its scheduler and worker share the grading process, whose threads only
# wait on sandboxes; with Dask's defaults their event loop's periodic work alone took 5 %
# of a core, 0.45 % with these (bench/results/grade_dask.md):
LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,  # samples every thread's stack every 10 ms
    "distributed.admin.tick.interval": "1s",  # the event-loop watchdog, every 20 ms
    "distributed.admin.system-monitor.interval": "5s",  # psutil readings, every 500 ms
    "distributed.scheduler.work-stealing": False,  # one worker: nothing to steal
    "distributed.scheduler.active-memory-manager.start": False,  # results are a few KB
}
# no memory monitor (every 100 ms) either: a check's memory is its sandbox's, limited there
LOCAL_WORKER_MEMORY_LIMIT = 0


def grade_bytes(name: str, data: bytes, exercise_id: str,
                limits: Limits) -> tuple[GradeRow, dict]:
    """The Dask task: grade one submission given as (file name, contents)."""
    with tempfile.TemporaryDirectory(prefix="ckptlab-dask-") as scratch:
        path = Path(scratch) / Path(name).name
        path.write_bytes(data)
        return grade_submission(path, exercise_id, limits)


class WarmRunnerPlugin(WorkerPlugin):
    """Start the track's warm runner on a worker as soon as it joins (or is registered)."""

    name = "ckptlab-warm-runner"

    def __init__(self, track: str) -> None:
        self.track = track

    def setup(self, worker) -> None:
        warm_up(self.track)


def _client(workers: int, scheduler: str | None):
    if scheduler:
        return Client(scheduler), None
    # in-process: scheduler and worker talk over inproc://, nothing listens on a port
    with dask.config.set(LOCAL_CLUSTER_CONFIG):  # read when the scheduler and worker are made
        cluster = LocalCluster(n_workers=1, threads_per_worker=workers, processes=False,
                               dashboard_address=None, silence_logs=logging.ERROR,
                               memory_limit=LOCAL_WORKER_MEMORY_LIMIT)
    return Client(cluster), cluster


def grade_on_dask(submissions: list[Submission], exercise: Exercise, limits: Limits,
                  workers: int, scheduler: str | None = None) -> list[tuple[GradeRow, dict]]:
    """grade_submission's (row, report) per submission, in order. A task whose worker
    died becomes a failure of that submission only."""
    client, cluster = _client(workers, scheduler)
    try:
        if scheduler:
            client.register_plugin(WarmRunnerPlugin(exercise.track))
        futures = [client.submit(grade_bytes, s.path.name, s.path.read_bytes(), exercise.id,
                                 limits, key=f"ckptlab-grade-{i}-{s.relative}", pure=False)
                   for i, s in enumerate(submissions)]
        outcomes = []
        for submission, future in zip(submissions, futures, strict=True):
            try:
                outcomes.append(future.result())
            except Exception as error:  # a lost worker, a killed task: this file only
                outcomes.append(failed(submission, exercise,
                                       f"Dask task failed: {type(error).__name__}: {error}"))
        return outcomes
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
