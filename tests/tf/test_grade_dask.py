"""`ckptlab grade` on a real Dask LocalCluster of 2 worker processes on 127.0.0.1: every
submission becomes one task, the tasks spread over both workers, and each is checked by
the same sandboxed child process as local grading (same records, same points)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from ckptlab.classroom.grading import grade_folder
from ckptlab.exercises import EXERCISES

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

SUBMISSIONS = Path(__file__).resolve().parents[1] / "submissions" / "tf2-round-trip"


class WorkersSeen(distributed.diagnostics.plugin.SchedulerPlugin):
    """Which worker finished which task, as the scheduler saw it."""

    def __init__(self, scheduler) -> None:
        self.scheduler, self.by_key = scheduler, {}

    def transition(self, key, start, finish, *args, **kwargs):
        if finish == "memory" and "worker" in kwargs:
            self.by_key[key] = kwargs["worker"]


def test_grade_on_a_local_cluster_of_two_workers(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for learner in ("alice", "bob"):
        shutil.copy(SUBMISSIONS / "solution.py", folder / f"{learner}.py")
    shutil.copy(SUBMISSIONS / "wrong_renamed_expect_partial.py", folder / "carol.py")
    (folder / "dave.py").write_text("")  # not answered: no task runs any code
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  memory_limit=0) as cluster:
        seen = WorkersSeen(cluster.scheduler)
        cluster.scheduler.add_plugin(seen)
        records = grade_folder(folder, "tf2-round-trip", tmp_path / "out",
                               scheduler=cluster.scheduler_address)
    total = EXERCISES["tf2-round-trip"].total
    by_learner = {r.learner: (r.state, r.verdict, r.total) for r in records}
    assert by_learner == {"alice": ("graded", "pass", total), "bob": ("graded", "pass", total),
                          "carol": ("graded", "fail", 2), "dave": ("not_answered",
                                                                   "not_answered", 0)}
    assert "OBJECT_PATH_MISMATCH" in next(r for r in records if r.learner == "carol").codes
    grade_keys = [k for k in seen.by_key if str(k).startswith("ckptlab-grade-")]
    assert len(grade_keys) == 4
    assert len({seen.by_key[k] for k in grade_keys}) == 2  # both workers graded


def test_the_default_engine_is_a_dask_cluster_in_this_process(tmp_path, monkeypatch):
    """Without --scheduler: a LocalCluster in the grading process (no worker processes,
    one warm runner for every check, as with threads), each submission a Dask task, on a
    worker made with our settings (LOCAL_CLUSTER_CONFIG, LOCAL_WORKER_MEMORY_LIMIT): no
    profiler sampling the grader's threads, no memory monitor, a slower watchdog."""
    from ckptlab.classroom import distributed as engine

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SUBMISSIONS / "solution.py", folder / "erin.py")
    (folder / "frank.py").write_text("")
    seen = tmp_path / "seen"  # the task may be pickled by value: it reports through files
    seen.mkdir()

    def grade_bytes(name, *args):
        worker = distributed.get_worker()  # raises outside a Dask worker
        callbacks = worker.periodic_callbacks  # with Dask's defaults: profile every 10 ms,
        (seen / name).write_text(json.dumps({  # memory_monitor every 100 ms, tick every 20
            "address": worker.address, "pid": os.getpid(),
            "sampling": sorted({"profile", "memory_monitor"} & set(callbacks)),
            "tick ms": callbacks["tick"].callback_time}))
        return real(name, *args)

    real = engine.grade_bytes
    monkeypatch.setattr(engine, "grade_bytes", grade_bytes)
    records = grade_folder(folder, "tf2-round-trip", tmp_path / "out", workers=2, dask=True)
    assert {r.learner: (r.state, r.total) for r in records} == {
        "erin": ("graded", EXERCISES["tf2-round-trip"].total), "frank": ("not_answered", 0)}
    ran_on = {path.name: json.loads(path.read_text()) for path in seen.iterdir()}
    assert sorted(ran_on) == ["erin.py", "frank.py"]
    for worker in ran_on.values():
        assert worker["address"].startswith("inproc://") and worker["pid"] == os.getpid()
        assert (worker["sampling"], worker["tick ms"]) == ([], 1000)  # LOCAL_CLUSTER_CONFIG
    assert dask.config.get("distributed.worker.profile.enabled")  # set for our cluster only
