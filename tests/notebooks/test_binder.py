"""The Binder environment, built from binder/ alone, runs every notebook within 2 GB.

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
4. Every learner notebook, executed by that environment's kernel with resident memory
   limited to 2 GB (the most a mybinder.org session may use). See tests/helpers/memory_kernel.py
   for why the limit is enforced by polling rather than RLIMIT_AS.

Slow (downloads and installs TensorFlow), so it is one test per notebook sharing one
module-scoped environment; pip's cache makes later runs faster.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.notebooks import REPO, execute_copy, learner_notebooks

BINDER = REPO / "binder"
MEMORY_LIMIT_BYTES = 2 * 1024**3
KERNEL_NAME = "ckptlab-binder"
MEMORY_KERNEL = REPO / "tests" / "helpers" / "memory_kernel.py"
NOTEBOOKS = learner_notebooks()

# Building the environment (inside the first test's setup) installs TensorFlow.
pytestmark = pytest.mark.timeout(3600)


def runtime_python() -> str:
    """An interpreter matching binder/runtime.txt (e.g. python-3.11)."""
    wanted = (BINDER / "runtime.txt").read_text().strip().removeprefix("python-")
    if f"{sys.version_info.major}.{sys.version_info.minor}" == wanted:
        return sys.executable
    found = shutil.which(f"python{wanted}")
    if found is None:
        pytest.fail(f"binder/runtime.txt asks for Python {wanted}, not found on PATH")
    return found


def write_kernel_spec(jupyter_dir: Path, python: str, env: dict[str, str]) -> None:
    """A kernel spec named KERNEL_NAME running `python` under the memory watcher."""
    spec_dir = jupyter_dir / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [python, str(MEMORY_KERNEL), "-f", "{connection_file}"],
        "display_name": "ckptlab, memory-limited", "language": "python", "env": env}))


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
    assert result.returncode == 0, (
        f"{' '.join(map(str, command))} failed ({result.returncode}):\n"
        f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory) -> Path:
    """A venv built only from binder/ files, with a memory-limited kernel spec."""
    root = tmp_path_factory.mktemp("binder")
    venv = root / "venv"
    run([runtime_python(), "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    run([str(python), "-m", "pip", "install", "--quiet", "-r",
         str(BINDER / "requirements.txt")], cwd=elsewhere)

    repo_copy = root / "repo"  # repo2docker copies a clone: no empty or ignored folders
    copy_as_cloned(repo_copy)
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    run(["bash", str(repo_copy / "binder" / "postBuild")], cwd=repo_copy, env=env)

    write_kernel_spec(root / "jupyter", str(python), {
        "PATH": env["PATH"], "CKPTLAB_MEMORY_LIMIT_BYTES": str(MEMORY_LIMIT_BYTES)})
    return root


def test_binder_env_has_the_pinned_versions(binder_env):
    python = binder_env / "venv" / "bin" / "python"
    from packaging.requirements import Requirement

    pins = {}  # name -> the pin whose environment marker holds for Binder's Python
    for line in (REPO / "constraints.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            pin = Requirement(line)
            if pin.marker is None or pin.marker.evaluate():
                pins[pin.name.lower().replace("_", "-")] = str(pin.specifier).lstrip("=")
    frozen = subprocess.run([str(python), "-m", "pip", "freeze"], capture_output=True,
                            text=True, check=True).stdout.lower().replace("_", "-")
    installed = dict(line.split("==", 1) for line in frozen.splitlines() if "==" in line)
    for package in ("tensorflow", "keras", "tf-keras", "jupyterlab", "ipywidgets", "plotly"):
        assert installed.get(package) == pins[package], package
    check = subprocess.run([str(python), "-c", "import ckptlab, sys; print(ckptlab.__file__)"],
                           capture_output=True, text=True, cwd=binder_env)
    assert check.returncode == 0, check.stderr
    assert str(binder_env / "venv") in check.stdout  # installed by postBuild, not the checkout


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO)))
def test_notebook_runs_in_binder_within_2gb(notebook, binder_env, tmp_path, monkeypatch):
    report = tmp_path / "memory.json"
    monkeypatch.setenv("JUPYTER_PATH", str(binder_env / "jupyter"))
    monkeypatch.setenv("CKPTLAB_MEMORY_REPORT", str(report))
    try:
        execute_copy(notebook, tmp_path, kernel_name=KERNEL_NAME)
    finally:
        memory = json.loads(report.read_text()) if report.exists() else {}
        print(f"{notebook.name}: kernel peak resident memory "
              f"{memory.get('peak_rss_bytes', 0) / 2**20:.0f} MiB")
    assert memory, "the kernel never reported its memory: was the memory watcher running?"
    assert not memory["killed"]
    assert 0 < memory["peak_rss_bytes"] <= MEMORY_LIMIT_BYTES
