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
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
RUNNER = HERE / "runner.py"
PARITY_PYTHON_VARIABLE = "CKPTLAB_PARITY_PYTHON"


def side_env(side: str) -> dict[str, str]:
    """The environment of one side's subprocess, read when it starts.

    TF_USE_LEGACY_KERAS is dropped for the real side: TensorFlow 2.15 brings its own
    Keras 2 and fails to import with it set (tf_keras is not in the parity venv). Other
    test modules set it in this process; the engine side's runner sets it itself.
    PYTHONPATH makes the checkout's ckptlab importable whether or not it is installed.
    """
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(REPO)}
    if side == "real":
        env.pop("TF_USE_LEGACY_KERAS", None)
    return env


def scenario_names() -> list[str]:
    """The `@scenario` functions of scenarios*.py, read without importing TensorFlow."""
    names = []
    for path in sorted(HERE.glob("scenarios*.py")):
        tree = ast.parse(path.read_text())
        names += [node.name for node in tree.body if isinstance(node, ast.FunctionDef)
                  and any(getattr(d, "id", "") == "scenario" for d in node.decorator_list)]
    return names


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
                               cwd=REPO, env=side_env(side), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    return SideRun(side, out, work, process)


def load_exports(root: Path, bases: dict[str, Path]) -> dict[str, dict]:
    """Load each side's SavedModel with TensorFlow 2.21 (this venv) and call it."""
    out = root / "loaded.json"
    done = subprocess.run([sys.executable, str(RUNNER), "load", str(out),
                           *map(str, bases.values())], cwd=REPO, env=side_env("load"),
                          capture_output=True, timeout=600)
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(f"loading the exports failed (exit {done.returncode}):\n"
                           f"{done.stderr.decode(errors='replace')[-4000:]}")
    loaded = json.loads(out.read_text())
    return {side: loaded[str(base)] for side, base in bases.items()}


def as_text(summary: dict) -> list[str]:
    return json.dumps(summary, indent=1, sort_keys=True).splitlines(keepends=True)


def differing_fields(real: Any, engine: Any, path: str = "") -> list[str]:
    """Where two JSON values differ, as paths like 'trace[1] > restored'."""
    if isinstance(real, dict) and isinstance(engine, dict):
        found = []
        for key in sorted(set(real) | set(engine)):
            where = f"{path} > {key}" if path else str(key)
            if key not in real or key not in engine:
                side = "real" if key in real else "engine"
                found.append(f"{where} (only on the {side} side)")
            else:
                found += differing_fields(real[key], engine[key], where)
        return found
    if isinstance(real, list) and isinstance(engine, list):
        if len(real) != len(engine):
            return [f"{path} (real: {len(real)} items, engine: {len(engine)})"]
        return [field for index, (a, b) in enumerate(zip(real, engine, strict=True))
                for field in differing_fields(a, b, f"{path}[{index}]")]
    return [] if real == engine else [path or "(the whole summary)"]


def readable_diff(name: str, real: dict, engine: dict) -> str:
    """'' when equal, else the differing fields and a unified diff (real -> engine)."""
    fields = differing_fields(real, engine)
    if not fields:
        return ""
    lines = difflib.unified_diff(as_text(real), as_text(engine), f"real tf.estimator: {name}",
                                 f"ckptlab engine: {name}", n=4)
    listed = "".join(f"  {field}\n" for field in fields[:20])
    more = f"  ... and {len(fields) - 20} more\n" if len(fields) > 20 else ""
    return f"scenario {name}: {len(fields)} field(s) differ:\n{listed}{more}" + "".join(lines)


def append_report(report: Path, name: str, diff: str) -> None:
    report.parent.mkdir(parents=True, exist_ok=True)
    with report.open("a") as stream:
        stream.write(f"\n## {name}\n\n```diff\n{diff}```\n")
