"""A learner's submission as source text: read .py or .ipynb, tell which track it is for.

Pure Python: the file is parsed, never executed here, and never modified.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from ckptlab.errors import UsageError

__all__ = ["SKIP_TAG", "TRACK_ENTRY_POINTS", "detect_track", "read_source"]

TRACK_ENTRY_POINTS = {"estimator": "model_fn", "tf2": "build_model"}
SKIP_TAG = "ckptlab-skip"  # a notebook cell for the learner's eyes only (e.g. hints)
_MAGIC_PREFIXES = ("%", "!")


def _graded_code(cell: dict) -> bool:
    """A code cell that is the learner's program: not an nbgrader autograder (test) cell,
    which runs the check itself, and not a cell tagged ckptlab-skip."""
    if cell.get("cell_type") != "code":
        return False
    metadata = cell.get("metadata") or {}
    nbgrader = metadata.get("nbgrader") or {}
    autograder = nbgrader.get("grade") and not nbgrader.get("solution")
    return not autograder and SKIP_TAG not in (metadata.get("tags") or [])


def read_source(path: str | Path) -> str:
    """The Python source of a .py file, or a notebook's code cells joined in order
    (without autograder cells and cells tagged ckptlab-skip, see _graded_code)."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"No file at {path}.", fix="Give the path of a .py or .ipynb file.",
                         received=str(path))
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix != ".ipynb":
        return text
    try:
        cells = json.loads(text)["cells"]
    except (ValueError, KeyError) as error:
        raise UsageError(f"{path.name} is not a readable notebook ({error}).",
                         fix="Save the notebook again from Jupyter.") from error
    chunks = []
    for cell in filter(_graded_code, cells):
        source = cell.get("source", "")
        lines = source if isinstance(source, list) else source.splitlines(keepends=True)
        chunks.append("".join(line for line in lines
                              if not line.lstrip().startswith(_MAGIC_PREFIXES)))
    return "\n\n".join(chunks)


def defined_names(source: str) -> set[str]:
    """Top-level functions, classes and assigned names (no execution)."""
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def detect_track(source: str) -> str:
    """'estimator' when model_fn is defined, 'tf2' for build_model, else 'unknown'."""
    try:
        names = defined_names(source)
    except SyntaxError:
        return "unknown"
    for track, entry in TRACK_ENTRY_POINTS.items():
        if entry in names:
            return track
    return "unknown"
