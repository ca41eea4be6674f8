"""`ckptlab grade`: collect the files, grade each in its sandbox (threads or Dask) with
the checker's per-submission function, keep a versioned record per file, write the
exports."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ckptlab.checker.cpus import usable_cpus
from ckptlab.checker.grade import grade_submission
from ckptlab.checker.sandbox import Limits, require_sandbox
from ckptlab.classroom.exports import write_all
from ckptlab.classroom.learners import collect_submissions
from ckptlab.classroom.results import GradeRecord, record_for
from ckptlab.classroom.warming import warm_up
from ckptlab.exercises import get_exercise

__all__ = ["grade_folder"]


def grade_folder(folder: str | Path, exercise_id: str, out: str | Path, workers: int = 0,
                 limits: Limits | None = None, scheduler: str | None = None,
                 dask: bool = False, require_isolation: bool = False) -> list[GradeRecord]:
    """Grade every submission below `folder` and write the exports to `out`.

    workers: parallel checks (default one per usable CPU: checker/cpus.py). dask: run on
    a Dask LocalCluster of `workers` processes; scheduler: on the Dask cluster at that
    address. Otherwise threads of this process wait on the sandboxes. require_isolation:
    refuse to grade when the checks here would run unisolated (no bubblewrap)."""
    out, limits = Path(out), limits or Limits()
    if require_isolation:
        require_sandbox()
    exercise = get_exercise(exercise_id)
    submissions = collect_submissions(folder, exercise.notebook)
    workers = workers or usable_cpus()
    if dask or scheduler:
        if not scheduler:  # TensorFlow loads in the runner while Dask is imported and starts
            warm_up(exercise.track)
        from ckptlab.classroom.distributed import grade_on_dask

        outcomes = grade_on_dask(submissions, exercise, limits, workers, scheduler)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(lambda s: grade_submission(s.path, exercise, limits),
                                     submissions))
    records = [record_for(s, exercise, row, data)
               for s, (row, data) in zip(submissions, outcomes, strict=True)]
    write_all(out, records, exercise)
    return records
