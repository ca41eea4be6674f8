"""Handlers of `ckptlab check` and `ckptlab grade` (the parsers live in ckptlab/cli.py)."""

from __future__ import annotations

import json
import sys

from ckptlab.checker.isolation import support
from ckptlab.checker.sandbox import Limits, check_file, require_sandbox

__all__ = ["run_check", "run_grade"]


def run_check(args) -> int:
    limits = Limits(timeout=args.timeout, memory_mb=args.memory_mb, processes=args.processes)
    if args.require_sandbox:
        require_sandbox()
    exercise = args.exercise or ""
    if exercise:
        from ckptlab.exercises import get_exercise

        get_exercise(exercise)  # an unknown id is a usage error before anything runs
    report = check_file(args.file, limits, exercise=exercise)
    print(json.dumps(report.to_dict(), indent=1) if args.json else report)
    return report.exit_code


def run_grade(args) -> int:
    from ckptlab.classroom.grading import grade_folder

    records = grade_folder(args.submissions, args.exercise, args.out, args.workers,
                           Limits(timeout=args.timeout, memory_mb=args.memory_mb,
                                  processes=args.processes),
                           args.scheduler, args.engine == "dask",
                           require_isolation=args.require_sandbox)
    for r in records:
        print(f"{r.learner:24} {r.file:40} {r.state:15} {r.total:3}/{r.maximum}  "
              f"{' '.join(r.codes) or '-'}")
    print(f"{len(records)} submissions graded; results.json, grades.csv, gradebook.csv, "
          f"reports/ and gradescope/ in {args.out}")
    if args.scheduler:  # the checks ran on the cluster's machines, not necessarily like this one
        return 0
    if support().isolated:  # for the instructor's record (each report notes what it lacked)
        print(f"checks on this machine are {support().describe()}")
    else:
        print(f"warning: the checks were {support().describe()}", file=sys.stderr)
    return 0
