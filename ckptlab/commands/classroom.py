"""Handlers of the classroom commands (the parsers live in ckptlab/cli.py)."""

from __future__ import annotations

__all__ = ["run_nbgrader_course"]


def run_nbgrader_course(args) -> int:
    from ckptlab.classroom.nbgrader_course import build_course

    written = build_course(args.course, args.solutions, args.exercise or None,
                           args.assignment, args.course_id)
    for path in written:
        print(path)
    print(f"{len(written)} source notebooks written. Next, in {args.course}: "
          "nbgrader generate_assignment <assignment>")
    return 0
