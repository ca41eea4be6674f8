"""design.md's import rules, enforced on every module of the package."""

from __future__ import annotations

import ast
import fnmatch
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "ckptlab"

# heavy top-level package -> the only module paths (relative to ckptlab/) allowed to import it
ALLOWED = {
    "tensorflow": [
        "checkpoint/reader*.py", "checkpoint/reader/*.py",
        "estimator/*.py", "estimator/**/*.py",
        "trace/*.py", "trace/**/*.py",
        "checker/runners/*.py",
        "quiet.py",  # the one place that imports TensorFlow without its start-up chatter
    ],
    "tf_keras": ["estimator/*.py", "estimator/**/*.py", "checker/runners/*.py"],
    "keras": ["checkpoint/reader*.py", "checkpoint/reader/*.py", "checker/runners/*.py"],
    "h5py": ["checkpoint/reader*.py", "checkpoint/reader/*.py"],
    "ipywidgets": ["widgets/*.py", "widgets/**/*.py"],
    "plotly": ["widgets/*.py", "widgets/**/*.py", "render/figures*.py", "render/figures/*.py"],
    "anywidget": ["widgets/*.py", "widgets/**/*.py"],
}


def imported_packages(source: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        elif (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant)):
            found.add(str(node.args[0].value).split(".")[0])
    return found


def violations(package: Path) -> list[str]:
    problems = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        for heavy in imported_packages(path.read_text()) & ALLOWED.keys():
            if not any(fnmatch.fnmatch(relative, pattern) for pattern in ALLOWED[heavy]):
                problems.append(f"ckptlab/{relative} imports {heavy}")
    return problems


def test_package_follows_import_rules():
    assert violations(PACKAGE) == []


def test_rule_checker_catches_a_violation(tmp_path):
    (tmp_path / "render").mkdir()
    (tmp_path / "render" / "text.py").write_text("def f():\n    import tensorflow as tf\n")
    (tmp_path / "widgets").mkdir()
    (tmp_path / "widgets" / "view.py").write_text("import ipywidgets\nfrom plotly import io\n")
    assert violations(tmp_path) == ["ckptlab/render/text.py imports tensorflow"]
