"""Write an nbgrader course directory for the ckptlab exercises.

`source/<assignment>/<notebook>.ipynb` is the exercise notebook learners get, whose answer
cell also holds the reference answer in an nbgrader solution region:

    <the starter code, as in exercises/>
    ### BEGIN SOLUTION
    <the reference solution, which redefines the same names>
    ### END SOLUTION

`nbgrader generate_assignment` removes the region and leaves the starter code untouched
(plus the one-line stub this course's nbgrader_config.py sets), so the release is exactly
the notebook a self-paced learner opens. The check cell ends with `report.points`, the
number nbgrader records as the cell's (partial) credit. Reference solutions are not in the
wheel: they come from a clone (tests/submissions/<exercise id>/solution.py).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from ckptlab.errors import UsageError
from ckptlab.exercises import EXERCISES, Exercise, get_exercise
from ckptlab.exercises.answers import notebook_path

__all__ = ["CODE_STUB", "build_course", "source_notebook"]

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
CODE_STUB = "# YOUR ANSWER: change the code above until the check below gives full points"
CONFIG = '''\
# nbgrader configuration written by `ckptlab nbgrader-course`.
c = get_config()  # noqa: F821 (provided by nbgrader)
c.CourseDirectory.course_id = {course_id!r}
# The release keeps the starter code; a solution region becomes this one comment line.
c.ClearSolutions.code_stub = {{"python": {stub!r}}}
# A check trains, evaluates and restores real models: allow a few minutes per cell.
c.Execute.timeout = 300
'''


def default_solutions() -> Path | None:
    """tests/submissions of the checkout this ckptlab runs from, if any."""
    folder = Path(__file__).resolve().parents[2] / "tests" / "submissions"
    return folder if folder.is_dir() else None


def _solution_code(exercise: Exercise, solutions: Path) -> str:
    path = solutions / exercise.id / "solution.py"
    if not path.is_file():
        raise UsageError(f"No reference solution for {exercise.id} at {path}.",
                         fix="Pass --solutions with the tests/submissions folder of a clone.",
                         received=str(path))
    source = path.read_text(encoding="utf-8")
    body = ast.parse(source).body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        source = "\n".join(source.splitlines()[body[0].end_lineno:])  # drop the docstring
    return source.strip("\n")


def source_notebook(exercise: Exercise, solutions: Path) -> dict:
    """The exercise notebook with the reference answer in a solution region."""
    path = notebook_path(exercise.notebook)
    if path is None:
        raise UsageError(f"The notebook of {exercise.id} is missing from this installation.",
                         fix="Reinstall ckptlab, or run from a clone.")
    document = json.loads(path.read_text(encoding="utf-8"))
    for cell in document["cells"]:
        if (cell["metadata"].get("nbgrader") or {}).get("solution"):
            starter = "".join(cell["source"]).rstrip("\n")
            answer = (f"{starter}\n{BEGIN}\n# Reference answer (nbgrader removes it from the "
                      f"release): it replaces the code above.\n"
                      f"{_solution_code(exercise, solutions)}\n{END}")
            cell["source"] = answer.splitlines(keepends=True)
    return document


def build_course(course: str | Path, solutions: str | Path | None = None,
                 exercise_ids: list[str] | None = None, assignment: str = "",
                 course_id: str = "ckptlab") -> list[Path]:
    """Write nbgrader_config.py and one source notebook per exercise; returns the notebooks.

    assignment: put every notebook into this one assignment; '' gives one assignment per
    notebook, named after it (e.g. `03_model_fn_and_modes`). Existing files are replaced
    only inside source/ of the assignments written here.
    """
    course = Path(course)
    solutions = Path(solutions) if solutions else default_solutions()
    if solutions is None:
        raise UsageError("The nbgrader source notebooks need the reference solutions.",
                         fix="Run from a clone of ckptlab, or pass --solutions "
                         "<clone>/tests/submissions.")
    exercises = [get_exercise(i) for i in exercise_ids] if exercise_ids else list(
        EXERCISES.values())
    course.mkdir(parents=True, exist_ok=True)
    config = course / "nbgrader_config.py"
    if not config.exists():
        config.write_text(CONFIG.format(course_id=course_id, stub=CODE_STUB), encoding="utf-8")
    written = []
    for exercise in exercises:
        folder = course / "source" / (assignment or exercise.notebook)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{exercise.notebook}.ipynb"
        target.write_text(json.dumps(source_notebook(exercise, solutions), indent=1) + "\n",
                          encoding="utf-8")
        written.append(target)
    return written
