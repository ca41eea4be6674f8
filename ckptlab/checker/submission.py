"""A learner's submission as source text: read .py or .ipynb, tell which track it is for.

Pure Python: the file is parsed, never executed here, and never modified.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from ckptlab.errors import UsageError
from ckptlab.source_location import CellSpan

__all__ = ["SKIP_TAG", "TRACK_ENTRY_POINTS", "detect_track", "read_cells", "read_source"]

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
    return read_cells(path)[0]


def read_cells(path: str | Path) -> tuple[str, tuple[CellSpan, ...]]:
    """(the source, where each notebook cell sits in it); a .py file has no cells.

    Magic lines (%..., !...) become empty lines, so a line keeps its number in the cell.
    """
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"No file at {path}.", fix="Give the path of a .py or .ipynb file.",
                         received=str(path))
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix != ".ipynb":
        return text, ()
    try:
        cells = json.loads(text)["cells"]
    except (ValueError, KeyError, TypeError) as error:
        raise UsageError(f"{path.name} is not a readable notebook ({error}).",
                         fix="Save the notebook again from Jupyter.") from error
    counts = [cell.get("execution_count") for cell in cells if _graded_code(cell)]
    by_count = all(isinstance(n, int) for n in counts) and len(set(counts)) == len(counts)
    chunks, spans, first = [], [], 1
    for position, cell in enumerate(cells, start=1):
        if not _graded_code(cell):
            continue
        source = cell.get("source", "")
        lines = source if isinstance(source, list) else source.splitlines(keepends=True)
        lines = "".join(lines).splitlines() or [""]
        code = "\n".join("" if line.lstrip().startswith(_MAGIC_PREFIXES) else line
                         for line in lines) + "\n"
        label = (f"cell [{cell['execution_count']}]" if by_count
                 else f"cell {position} from the top")
        spans.append((first, len(lines), label))
        chunks.append(code)
        first += len(lines) + 1  # one empty line between cells
    return "\n".join(chunks), tuple(spans)


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
