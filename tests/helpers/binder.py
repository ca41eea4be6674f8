"""The Binder environment, built from binder/ alone, with a memory-limited kernel.

This mirrors what repo2docker does with binder/ (checked against its source,
jupyterhub/repo2docker, buildpacks/python and buildpacks/base.py):

1. Python from binder/runtime.txt.
2. `pip install -r binder/requirements.txt`. Because that file has a `-c` line,
   repo2docker counts it as a "local reference" and installs it only after copying
   the whole repository (not in the cached pre-assemble step), with the repository as
   the working directory; pip resolves `-c ../constraints.txt` relative to the
   requirements file itself. We install from an unrelated working directory to prove
   the second point.
3. binder/postBuild, run from the repository root (here a copy of what a clone holds:
   git-tracked and not-ignored files, so an empty folder is missing as it would be).

Its kernels run under tests/helpers/memory_kernel.py: resident memory limited to 2 GB (the
most a mybinder.org session may use), the peak written to a report file per kernel.
Built once per test session (tests/conftest.py `binder_env`): the browser run of every
notebook and tests/notebooks/test_binder.py use the same one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.notebooks import REPO

BINDER = REPO / "binder"
MEMORY_LIMIT_BYTES = 2 * 1024**3
KERNEL_NAME = "ckptlab-binder"
MEMORY_KERNEL = REPO / "tests" / "helpers" / "memory_kernel.py"


@dataclass(frozen=True)
class BinderEnv:
    root: Path

    @property
    def python(self) -> Path:
        return self.root / "venv" / "bin" / "python"

    @property
    def path(self) -> str:
        """PATH with the environment's bin/ first, as in a Binder session."""
        return f"{self.root / 'venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"

    def kernel_spec(self, jupyter_dir: Path, reports: Path, name: str = KERNEL_NAME) -> Path:
        """Write a memory-limited kernel spec of this environment under `jupyter_dir`
        (for JUPYTER_PATH); each kernel writes its memory to the folder `reports`
        (memory_report, memory_reports). Named "python3", it is the kernel every notebook
        asks for."""
        return write_kernel_spec(jupyter_dir, str(self.python), {
            "PATH": self.path, "CKPTLAB_MEMORY_LIMIT_BYTES": str(MEMORY_LIMIT_BYTES),
            "CKPTLAB_MEMORY_REPORT": str(reports / "{kernel}.json")}, name)


def runtime_python() -> str:
    """An interpreter matching binder/runtime.txt (e.g. python-3.11)."""
    wanted = (BINDER / "runtime.txt").read_text().strip().removeprefix("python-")
    if f"{sys.version_info.major}.{sys.version_info.minor}" == wanted:
        return sys.executable
    found = shutil.which(f"python{wanted}")
    if found is None:
        raise RuntimeError(f"binder/runtime.txt asks for Python {wanted}, not found on PATH")
    return found


def write_kernel_spec(jupyter_dir: Path, python: str, env: dict[str, str],
                      name: str = KERNEL_NAME) -> Path:
    """A kernel spec `name` running `python` under the memory watcher."""
    spec_dir = jupyter_dir / "kernels" / name
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [python, str(MEMORY_KERNEL), "-f", "{connection_file}"],
        "display_name": "ckptlab, memory-limited", "language": "python", "env": env}))
    return jupyter_dir


def memory_report(reports: Path, kernel_id: str) -> Path:
    """The report of one kernel: named by its id (memory_kernel.kernel_id), which for a
    kernel a Jupyter server started is the id of its REST API."""
    return reports / f"{kernel_id}.json"


def memory_reports(reports: Path) -> list[Path]:
    """Every kernel's report in the folder (whoever started the kernel and named its
    connection file)."""
    return sorted(reports.glob("*.json"))


def memory_of(report: Path) -> dict:
    """What a memory-limited kernel reported ({} if it never did)."""
    return json.loads(report.read_text()) if report.exists() else {}


def copy_as_cloned(destination: Path) -> None:
    """Copy what a clone would hold: tracked and not-ignored files (no empty folders)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=REPO, capture_output=True, check=True)
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = REPO / name
        if source.is_file():  # skip files deleted in the working tree
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)


def run(command: list[str], **kwargs) -> None:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} failed ({result.returncode}):\n"
                           f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


def build_binder_env(root: Path) -> BinderEnv:
    """A venv built only from binder/ files (slow: installs TensorFlow; pip's cache helps)."""
    venv = root / "venv"
    run([runtime_python(), "-m", "venv", str(venv)])
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "-r",
         str(BINDER / "requirements.txt")], cwd=elsewhere)

    repo_copy = root / "repo"  # repo2docker copies a clone: no empty or ignored folders
    copy_as_cloned(repo_copy)
    env = BinderEnv(root)
    build_env = {**os.environ, "PATH": env.path}
    build_env.pop("PYTHONPATH", None)
    build_env.pop("VIRTUAL_ENV", None)
    run(["bash", str(repo_copy / "binder" / "postBuild")], cwd=repo_copy, env=build_env)
    return env
