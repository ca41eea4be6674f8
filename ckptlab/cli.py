"""The `ckptlab` command line: argument parsing only; handlers are imported lazily."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from importlib import import_module

from ckptlab._version import __version__
from ckptlab.checker.limits import DEFAULT_MEMORY_MB, DEFAULT_PROCESSES, DEFAULT_TIMEOUT
from ckptlab.errors import CkptlabError

# command -> "module:function" taking the parsed arguments and returning an exit code
HANDLERS: dict[str, str] = {
    "lab": "ckptlab.commands.lab:run_lab",
    "inspect": "ckptlab.commands.checkpoint:run_inspect",
    "diff": "ckptlab.commands.checkpoint:run_diff",
    "trace": "ckptlab.commands.trace:run_trace",
    "check": "ckptlab.commands.check:run_check",
    "grade": "ckptlab.commands.check:run_grade",
    "nbgrader-course": "ckptlab.commands.classroom:run_nbgrader_course",
}


def _add_lab(commands: argparse._SubParsersAction) -> None:
    lab = commands.add_parser(
        "lab",
        help="start JupyterLab on the tutorials (127.0.0.1 only)",
        description="Start JupyterLab on the ckptlab tutorials, bound to 127.0.0.1.",
    )
    lab.add_argument(
        "directory",
        nargs="?",
        help="folder to serve; default: the repository's tutorials/ or, after a pip "
        "install, a copy of the tutorials in ./ckptlab-tutorials",
    )
    lab.add_argument("--port", type=int, default=8888, help="port to try first (default 8888)")
    lab.add_argument("--dry-run", action="store_true", help="print the command, do not start")


def _add_inspect(commands: argparse._SubParsersAction) -> None:
    inspect = commands.add_parser(
        "inspect", help="list a checkpoint's variables: tree, shapes, sizes, totals",
        description="Read a checkpoint's metadata (no values) and show its scope or object "
        "tree. PATH: a prefix (model.ckpt-100), a model_dir, or a .weights.h5 file.")
    inspect.add_argument("path", metavar="PATH")
    inspect.add_argument("--json", action="store_true",
                         help="stable JSON (schema ckptlab.checkpoint/1) instead of text")
    inspect.add_argument("--values", metavar="KEY", help="print the values of one variable")


def _add_diff(commands: argparse._SubParsersAction) -> None:
    diff = commands.add_parser(
        "diff", help="compare two checkpoints (variables, shapes, value changes)",
        description="Compare checkpoint A (older) with B (newer): added, removed, shape or "
        "dtype changed, and how much each variable's values moved.")
    diff.add_argument("a", metavar="A")
    diff.add_argument("b", metavar="B")
    diff.add_argument("--json", action="store_true", help="stable JSON (schema ckptlab.diff/1)")


def _add_trace(commands: argparse._SubParsersAction) -> None:
    trace = commands.add_parser(
        "trace", help="build a model_fn in TRAIN, EVAL and PREDICT and compare the modes",
        description="Run FILE (it defines model_fn, optionally PARAMS), build model_fn in "
        "each mode in a fresh graph without running it, and report variables, ops and what "
        "differs between modes. Exit code 1 when there are findings, 2 when FILE fails.")
    trace.add_argument("file", metavar="FILE.py")
    trace.add_argument("--json", action="store_true", help="JSON instead of text")


def _add_check(commands: argparse._SubParsersAction) -> None:
    check = commands.add_parser(
        "check", help="run a submission through real save/restore round trips and explain",
        description="Run FILE (it defines model_fn for the Estimator track, or build_model, "
        "save and restore for the TF2 track) in a sandboxed process and explain what went "
        "wrong. Exit code 0 pass, 1 fail, 2 the check could not judge.")
    check.add_argument("file", metavar="FILE.py")
    check.add_argument("--json", action="store_true", help="one JSON object instead of text")
    check.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                       help="time limit for the submission (default %(default)g)")
    check.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB,
                       help="memory limit (default %(default)s)")
    check.add_argument("--processes", type=int, default=DEFAULT_PROCESSES,
                       help="processes and threads, all of the check's together (default "
                       "%(default)s)")
    check.add_argument("--exercise", metavar="ID", help="grade against an exercise's checks")
    check.add_argument("--require-sandbox", action="store_true",
                       help="refuse to run when the check cannot be isolated (bubblewrap)")


def _add_grade(commands: argparse._SubParsersAction) -> None:
    grade = commands.add_parser(
        "grade", help="grade a folder of submissions in parallel (results, CSVs, Gradescope)",
        description="Check every .py and .ipynb file below SUBMISSIONS (a folder of one file "
        "per learner, or an nbgrader course's submitted/ folder) against an exercise, in "
        "parallel; write results.json (schema ckptlab.grade/1), one report per file, "
        "grades.csv, gradebook.csv (one row per learner) and Gradescope results to --out.")
    grade.add_argument("submissions", metavar="SUBMISSIONS")
    grade.add_argument("--exercise", required=True, metavar="ID")
    grade.add_argument("--out", required=True, metavar="DIR")
    grade.add_argument("--workers", type=int, default=0,
                       help="default: one per usable CPU (affinity, capped by a CPU quota)")
    grade.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS")
    grade.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB,
                       help="memory limit per submission, all its processes (default "
                       "%(default)s)")
    grade.add_argument("--processes", type=int, default=DEFAULT_PROCESSES,
                       help="processes and threads per submission, all together (default "
                       "%(default)s)")
    grade.add_argument("--require-sandbox", action="store_true",
                       help="refuse to grade when the checks cannot be isolated (bubblewrap)")
    grade.add_argument("--engine", choices=("dask", "threads"), default="dask",
                       help="dask (default): a Dask LocalCluster in this process (inproc://, no "
                       "port; --workers threads) or the cluster of --scheduler; threads: a plain "
                       "thread pool")
    grade.add_argument("--scheduler", metavar="ADDRESS",
                       help="the Dask scheduler of a running cluster (e.g. tcp://host:8786)")


def _add_nbgrader_course(commands: argparse._SubParsersAction) -> None:
    course = commands.add_parser(
        "nbgrader-course", help="write an nbgrader course directory with the exercises",
        description="Write COURSE/nbgrader_config.py and COURSE/source/<assignment>/ with "
        "the exercise notebooks, the reference answers in nbgrader solution regions. Then "
        "run nbgrader generate_assignment, autograde and export as usual.")
    course.add_argument("course", metavar="COURSE")
    course.add_argument("--assignment", default="", metavar="NAME",
                        help="one assignment with every notebook (default: one assignment "
                        "per notebook, named after it)")
    course.add_argument("--exercise", action="append", metavar="ID",
                        help="only this exercise (repeat for more; default: all)")
    course.add_argument("--solutions", metavar="DIR",
                        help="folder of <exercise id>/solution.py (default: the clone's "
                        "tests/submissions)")
    course.add_argument("--course-id", default="ckptlab", help="nbgrader course id")


PARSER_BUILDERS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_lab, _add_inspect, _add_diff, _add_trace, _add_check, _add_grade,
    _add_nbgrader_course]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ckptlab",
        description="Learn, inspect and check TensorFlow checkpoints.",
    )
    parser.add_argument("--version", action="version", version=f"ckptlab {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in PARSER_BUILDERS:
        add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    module_name, _, function = HANDLERS[args.command].partition(":")
    try:
        code = int(getattr(import_module(module_name), function)(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not as noise at interpreter exit
        return code
    except CkptlabError as error:
        print(f"ckptlab {args.command}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `ckptlab check x.py | head`: the reader left, nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
