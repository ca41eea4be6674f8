"""Run `ckptlab grade`'s submissions on Dask distributed.

Every submission is one Dask task. The task carries the file's bytes (workers need not
share a file system with the machine that grades), writes them into a scratch folder of
the worker and checks them there with the same sandboxed child process as local grading
(`ckptlab.checker.grade.grade_submission`). The worker only waits on that child, so each worker
runs one task at a time. Without a scheduler address, a LocalCluster of `workers`
processes on 127.0.0.1 is started and closed again.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from ckptlab.checker.grade import GradeRow, grade_submission
from ckptlab.checker.sandbox import Limits
from ckptlab.classroom.learners import Submission
from ckptlab.classroom.results import failed
from ckptlab.errors import SetupError
from ckptlab.exercises import Exercise

__all__ = ["grade_bytes", "grade_on_dask"]


def grade_bytes(name: str, data: bytes, exercise_id: str,
                limits: Limits) -> tuple[GradeRow, dict]:
    """The Dask task: grade one submission given as (file name, contents)."""
    with tempfile.TemporaryDirectory(prefix="ckptlab-dask-") as scratch:
        path = Path(scratch) / Path(name).name
        path.write_bytes(data)
        return grade_submission(path, exercise_id, limits)


def _client(workers: int, scheduler: str | None):
    try:
        from distributed import Client, LocalCluster
    except ImportError as error:
        raise SetupError("Dask distributed is not installed in this Python.",
                         fix="pip install 'distributed' (ckptlab pins it in "
                         "constraints.txt), or grade with --engine threads.") from error
    if scheduler:
        return Client(scheduler), None
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address=None, memory_limit=0,
                           silence_logs=logging.ERROR)
    return Client(cluster), cluster


def grade_on_dask(submissions: list[Submission], exercise: Exercise, limits: Limits,
                  workers: int, scheduler: str | None = None) -> list[tuple[GradeRow, dict]]:
    """grade_submission's (row, report) per submission, in order. A task whose worker
    died becomes a failure of that submission only."""
    client, cluster = _client(workers, scheduler)
    try:
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
