"""Has the learner answered? Compare what they define with the starter code they were given.

The starter is the answer cell of the exercise's notebook (exercises/<notebook>.ipynb in a
checkout, ckptlab/_notebooks/exercises/ in a wheel): one place, read at run time. A
submission is "not answered" when it defines none of the exercise's names, or when every
name it must define is exactly the starter's (same syntax tree, comments ignored). The
nbgrader stub (`raise NotImplementedError()`) after untouched starter code changes nothing.
Pure Python: sources are parsed, never executed.
"""

from __future__ import annotations

import ast
import functools
import inspect
import json
import textwrap
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["NOT_ANSWERED", "answered_objects", "answered_source", "notebook_path",
           "starter_source"]

NOT_ANSWERED = ("not answered: the answer still holds the starter code (or defines none of "
                "the names the exercise asks for)")


def notebook_path(notebook: str) -> Path | None:
    """exercises/<notebook>.ipynb of a source checkout, else the copy shipped in the wheel."""
    checkout = Path(__file__).resolve().parents[2] / "exercises" / f"{notebook}.ipynb"
    if checkout.is_file():
        return checkout
    shipped = Path(str(resources.files("ckptlab"))) / "_notebooks" / "exercises"
    path = shipped / f"{notebook}.ipynb"
    return path if path.is_file() else None


def _is_answer_cell(cell: dict) -> bool:
    return bool(cell.get("cell_type") == "code"
                and (cell.get("metadata") or {}).get("nbgrader", {}).get("solution"))


@functools.cache
def starter_source(notebook: str) -> str:
    """The answer cell of an exercise notebook as shipped ('' when it cannot be found)."""
    path = notebook_path(notebook)
    if path is None:
        return ""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for cell in filter(_is_answer_cell, cells):
        source = cell.get("source", "")
        return "".join(source) if isinstance(source, list) else source
    return ""


def _definitions(source: str, names: tuple[str, ...]) -> dict[str, str]:
    """name -> ast.dump of its last top-level definition, for the names asked for."""
    found: dict[str, str] = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name in names:
                found[node.name] = ast.dump(node)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in names:
                    found[target.id] = ast.dump(node.value)
    return found


@functools.cache
def _starter_definitions(notebook: str, names: tuple[str, ...]) -> dict[str, str]:
    source = starter_source(notebook)
    try:
        return _definitions(source, names) if source else {}
    except SyntaxError:
        return {}


def answered_source(source: str, notebook: str, names: tuple[str, ...]) -> bool:
    """Whether a submission's source answers the exercise (see the module docstring).
    A source that does not parse counts as answered: the checker explains the error."""
    try:
        given = _definitions(source, names)
    except SyntaxError:
        return True
    if not given:
        return False
    starter = _starter_definitions(notebook, names)
    return not starter or any(given.get(name) != starter.get(name) for name in names)


def _object_dump(value: Any) -> str | None:
    """ast.dump of a function's definition; None when its source cannot be read."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(value)))
    except (OSError, TypeError, SyntaxError):
        return None
    node = tree.body[0] if tree.body else None
    return ast.dump(node) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None


def answered_objects(objects: dict[str, Any], notebook: str, names: tuple[str, ...]) -> bool:
    """The same question for live objects in a kernel (functions and literal values),
    as `ckptlab.check("<id>", ...)` receives them. Unreadable sources count as answered."""
    starter_source_text = starter_source(notebook)
    if not starter_source_text:
        return True
    try:
        starter_tree = ast.parse(starter_source_text)
    except SyntaxError:
        return True
    starter = _starter_definitions(notebook, names)
    literals = {t.id: node.value for node in starter_tree.body if isinstance(node, ast.Assign)
                for t in node.targets if isinstance(t, ast.Name) and t.id in names}
    for name in names:
        if name not in objects:
            continue
        value = objects[name]
        if callable(value):
            if _object_dump(value) != starter.get(name):
                return True
        elif name in literals:
            try:
                if value != ast.literal_eval(literals[name]):
                    return True
            except ValueError:
                return True
        else:
            return True
    return False  # every name given is the starter's, or none is given
