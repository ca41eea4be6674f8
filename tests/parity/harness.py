"""Run runner.py on both sides (two subprocesses, in parallel) and compare their JSON.

No TensorFlow in this module: the pytest process only starts subprocesses, reads JSON and
renders differences as unified diffs.
"""

from __future__ import annotations

import ast
import difflib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
RUNNER = HERE / "runner.py"
PARITY_PYTHON_VARIABLE = "CKPTLAB_PARITY_PYTHON"
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(REPO)}


def scenario_names() -> list[str]:
    """The `@scenario` functions of scenarios.py, read without importing TensorFlow."""
    tree = ast.parse((HERE / "scenarios.py").read_text())
    return [node.name for node in tree.body if isinstance(node, ast.FunctionDef)
            and any(getattr(d, "id", "") == "scenario" for d in node.decorator_list)]


def parity_python() -> str | None:
    path = os.environ.get(PARITY_PYTHON_VARIABLE, "")
    return path if path and Path(path).is_file() else None


def engine_missing() -> str | None:
    """Why the engine side cannot run, or None when it can."""
    if not (REPO / "ckptlab" / "estimator" / "shim.py").exists():
        return "ckptlab/estimator/shim.py (the engine's legacy shim) does not exist yet"
    return None


@dataclass
class SideRun:
    side: str
    out: Path
    work: Path
    process: subprocess.Popen

    def result(self, timeout: float = 900) -> dict:
        _, stderr = self.process.communicate(timeout=timeout)
        if self.process.returncode != 0 or not self.out.exists():
            tail = stderr.decode(errors="replace")[-4000:]
            raise RuntimeError(f"the {self.side} runner failed (exit "
                               f"{self.process.returncode}):\n{tail}")
        return json.loads(self.out.read_text())


def start_side(side: str, python: str, root: Path, names: list[str] = ()) -> SideRun:
    out, work = root / f"{side}.json", root / side
    process = subprocess.Popen([python, str(RUNNER), side, str(out), str(work), *names],
                               cwd=REPO, env=ENV, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    return SideRun(side, out, work, process)


def load_exports(root: Path, bases: dict[str, Path]) -> dict[str, dict]:
    """Load each side's SavedModel with TensorFlow 2.21 (this venv) and call it."""
    out = root / "loaded.json"
    subprocess.run([sys.executable, str(RUNNER), "load", str(out), *map(str, bases.values())],
                   cwd=REPO, env=ENV, check=True, capture_output=True, timeout=600)
    loaded = json.loads(out.read_text())
    return {side: loaded[str(base)] for side, base in bases.items()}


def as_text(summary: dict) -> list[str]:
    return json.dumps(summary, indent=1, sort_keys=True).splitlines(keepends=True)


def readable_diff(name: str, real: dict, engine: dict) -> str:
    """'' when equal, else a unified diff (real tf.estimator -> ckptlab engine)."""
    lines = difflib.unified_diff(as_text(real), as_text(engine), f"real tf.estimator: {name}",
                                 f"ckptlab engine: {name}", n=4)
    return "".join(lines)


def append_report(report: Path, name: str, diff: str) -> None:
    report.parent.mkdir(parents=True, exist_ok=True)
    with report.open("a") as stream:
        stream.write(f"\n## {name}\n\n```diff\n{diff}```\n")
