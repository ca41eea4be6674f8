"""Which files to grade in a submissions folder, and whose each one is.

Two layouts are understood:
- nbgrader's: `<course>/submitted/<student>/<assignment>/<notebook>.ipynb` (pass the
  course's `submitted/` folder, or any folder above it): the learner id is the student
  folder, and only the exercise's own notebook is graded in each assignment folder;
- a flat folder of one file per learner (`alice.ipynb`, `bob.py`): the learner id is the
  file name without its suffix; in a subfolder (`alice/answer.py`), the first folder name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ckptlab.errors import UsageError

__all__ = ["SUFFIXES", "Submission", "collect_submissions", "learner_of"]

SUFFIXES = (".py", ".ipynb")
NBGRADER_FOLDER = "submitted"
_SKIPPED_PARTS = (".ipynb_checkpoints", "__pycache__")


@dataclass(frozen=True)
class Submission:
    path: Path  # the file on disk (read, never modified)
    relative: str  # its path below the submissions folder, with '/' (unique per file)
    learner: str
    assignment: str = ""  # nbgrader's assignment name, '' for a flat folder


def learner_of(relative: Path) -> tuple[str, str]:
    """(learner id, assignment) of a file given by its path below the submissions folder."""
    parts = relative.parts
    if NBGRADER_FOLDER in parts[:-1]:
        index = len(parts) - 1 - parts[::-1].index(NBGRADER_FOLDER)  # the last 'submitted'
        rest = parts[index + 1:]
        if len(rest) >= 3:
            return rest[0], rest[1]
    if len(parts) == 1:
        return relative.stem, ""
    return parts[0], ""


def _wanted(relative: Path, notebook: str) -> bool:
    if relative.suffix not in SUFFIXES or any(p in _SKIPPED_PARTS or p.startswith(".")
                                              for p in relative.parts):
        return False
    _, assignment = learner_of(relative)
    # in nbgrader's layout an assignment folder holds every notebook of the assignment
    return not assignment or not notebook or relative.stem == notebook


def collect_submissions(folder: str | Path, notebook: str = "") -> list[Submission]:
    """Every submission file below `folder`, sorted by path. notebook: the exercise's
    notebook name, which selects the file to grade inside an nbgrader assignment folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder.",
                         fix="Give a folder of .py/.ipynb files, or an nbgrader course's "
                         "submitted/ folder.", received=str(folder))
    # the course's submitted/ folder itself: its name belongs to the layout
    above = Path(NBGRADER_FOLDER) if folder.resolve().name == NBGRADER_FOLDER else Path()
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and _wanted(above / relative, notebook):
            learner, assignment = learner_of(above / relative)
            found.append(Submission(path, relative.as_posix(), learner, assignment))
    return found
