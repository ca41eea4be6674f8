"""design.md's layers between ckptlab's own packages, enforced on every module.

A package imports only from itself and from layers below it, never in a circle. Records
import nothing but the standard library and lower ckptlab records. The one allowed upward
reference: a record's `__str__`/`_repr_html_` may delegate to `ckptlab.render` (a lazy
import inside that method, nothing else), so a record still displays itself in Jupyter.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

PACKAGE = Path(__file__).resolve().parents[2] / "ckptlab"

# lowest first; a module may import its own package and packages of a LOWER rank
LAYERS: dict[str, int] = {
    "_version": 0, "_lazy": 0, "source_location": 0, "errors": 1, "quiet": 1, "claims": 1,
    "learner_code": 1, "mode_names": 1, "outcome_codes": 1, "tf_private": 1,
    "scopes": 2, "events": 3, "exercises": 3,
    "checkpoint": 4,
    "estimator": 5,
    "trace": 6,
    "checker": 7,
    "render": 8,
    "widgets": 9,
    "classroom": 10,
    "commands": 11, "cli": 11, "__main__": 12,
    "__init__": 13,  # the public API: lazy names of any layer
}

# pure frozen-dataclass records: standard library and lower ckptlab modules only
RECORDS = ("events.py", "checkpoint/records.py", "checkpoint/targets.py",
           "trace/mode_records.py", "checker/findings.py")

DELEGATING_METHODS = {"__str__", "__repr__", "_repr_html_"}


def _package_of(module: str) -> str:
    """'ckptlab.checker.api' -> 'checker'; 'ckptlab' -> '__init__'."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _module_of(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["ckptlab", *parts])


def _imports(tree: ast.AST) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a delegating method) for each import of ckptlab."""
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, delegating: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = delegating
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inside = child.name in DELEGATING_METHODS
            names: list[str] = []
            if isinstance(child, ast.Import):
                names = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                # `from ckptlab import mode_names` imports the module ckptlab.mode_names
                names = ([f"ckptlab.{alias.name}" for alias in child.names]
                         if child.module == "ckptlab" else [child.module])
            elif (isinstance(child, ast.Call) and getattr(child.func, "id", "") == "import_module"
                  and child.args and isinstance(child.args[0], ast.Constant)):
                names = [str(child.args[0].value)]
            found.extend((name, child.lineno, inside) for name in names
                         if name == "ckptlab" or name.startswith("ckptlab."))
            visit(child, inside)

    visit(tree, False)
    return found


def _third_party(tree: ast.AST) -> set[str]:
    tops: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            tops.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            tops.add(node.module.split(".")[0])
    return {top for top in tops if top not in sys.stdlib_module_names and top != "ckptlab"}


def _cycles(edges: dict[str, set[str]]) -> list[str]:
    found, state, stack = [], {}, []

    def walk(module: str) -> None:
        state[module] = "open"
        stack.append(module)
        for target in sorted(edges.get(module, ())):
            if state.get(target) == "open":
                found.append(" -> ".join([*stack[stack.index(target):], target]))
            elif target not in state:
                walk(target)
        stack.pop()
        state[module] = "done"

    for module in sorted(edges):
        if module not in state:
            walk(module)
    return found


def violations(root: Path) -> list[str]:
    problems: list[str] = []
    edges: dict[str, set[str]] = {}
    modules = {_module_of(path, root): path for path in sorted(root.rglob("*.py"))}
    for module, path in modules.items():
        relative = "ckptlab/" + path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text())
        package = _package_of(module)
        if package not in LAYERS:
            problems.append(f"{relative}: package '{package}' has no layer in LAYERS")
            continue
        for imported, line, delegating in _imports(tree):
            target = _package_of(imported)
            where = f"{relative}:{line} imports {imported}"
            if target not in LAYERS:
                problems.append(f"{where}: package '{target}' has no layer in LAYERS")
                continue
            if delegating and target == "render":
                continue  # a record's __str__/_repr_html_ delegating to its view
            if target != package and LAYERS[target] >= LAYERS[package]:
                problems.append(f"{where}: '{package}' (layer {LAYERS[package]}) may not "
                                f"import '{target}' (layer {LAYERS[target]})")
            # the module graph: a package import stands for its __init__
            edges.setdefault(module, set()).add(imported if imported in modules
                                                else imported.rsplit(".", 1)[0])
        if path.relative_to(root).as_posix() in RECORDS:
            for heavy in sorted(_third_party(tree)):
                problems.append(f"{relative}: a record imports {heavy}")
    problems += [f"import cycle: {cycle}" for cycle in _cycles(edges)]
    return problems


def test_ckptlab_packages_hold_their_layers():
    assert violations(PACKAGE) == []


def test_every_package_has_a_layer():
    packages = {path.name.removesuffix(".py") for path in PACKAGE.iterdir()
                if path.suffix == ".py" or (path / "__init__.py").exists()}
    assert packages <= LAYERS.keys()


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_layer_rule_catches_each_kind_of_violation(tmp_path):
    for package in ("checkpoint", "render", "trace", "checker", "scopes"):
        _write(tmp_path, f"{package}/__init__.py", "")
    # upward: the data layer imports a renderer (inside a function: still counted)
    _write(tmp_path, "checkpoint/load.py", "def f():\n    from ckptlab.render import x\n")
    # allowed: a record delegating its display, and a downward import
    _write(tmp_path, "checker/findings.py",
           "from ckptlab.scopes import names\n"
           "class Report:\n    def _repr_html_(self):\n"
           "        from ckptlab.render.report import report_html\n"
           "        return report_html(self)\n")
    # a record importing something heavy
    _write(tmp_path, "events.py", "import numpy\n")
    # a circle inside one package
    _write(tmp_path, "trace/a.py", "from ckptlab.trace.b import g\n")
    _write(tmp_path, "trace/b.py", "def g():\n    from ckptlab.trace.a import f\n")
    # a package nobody placed
    _write(tmp_path, "attic/__init__.py", "")
    assert violations(tmp_path) == [
        "ckptlab/attic/__init__.py: package 'attic' has no layer in LAYERS",
        "ckptlab/checkpoint/load.py:2 imports ckptlab.render: 'checkpoint' (layer 4) may "
        "not import 'render' (layer 8)",
        "ckptlab/events.py: a record imports numpy",
        "import cycle: ckptlab.trace.a -> ckptlab.trace.b -> ckptlab.trace.a",
    ]


def test_delegation_is_only_allowed_from_a_display_method(tmp_path):
    _write(tmp_path, "checker/__init__.py", "")
    _write(tmp_path, "checker/findings.py",
           "class Report:\n    def explain(self):\n"
           "        from ckptlab.render.report import report_text\n")
    assert violations(tmp_path) == [
        "ckptlab/checker/findings.py:3 imports ckptlab.render.report: 'checker' (layer 7) "
        "may not import 'render' (layer 8)"]
