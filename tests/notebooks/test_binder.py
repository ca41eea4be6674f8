"""The Binder environment, built from binder/ alone, runs every notebook within 2 GB.

tests/helpers/binder.py builds it as repo2docker does (Python from runtime.txt,
requirements.txt with its `-c ../constraints.txt`, postBuild from a clone's files) and
runs every learner notebook with that environment's kernel, resident memory limited to
2 GB (the most a mybinder.org session may use; tests/helpers/memory_kernel.py explains why
the limit is enforced by polling rather than RLIMIT_AS).

Each notebook is also checked as the headless run checks it (no error, nothing on stderr,
no stray value), so in a session that runs this module tests/notebooks/test_notebooks.py's
run of the same notebook steps aside; and when the browser run of every notebook
(tests/browser/test_every_notebook.py, which uses this same environment's kernel and its
memory limit) runs in the session, this module's run of each notebook steps aside for it
(tests/conftest.py): each notebook is executed once per suite.

Slow (the environment installs TensorFlow; built once per session, pip's cache makes
later runs faster).
"""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.helpers.binder import KERNEL_NAME, MEMORY_LIMIT_BYTES, memory_of, memory_reports
from tests.helpers.notebooks import REPO, execute_copy, learner_notebooks

NOTEBOOKS = learner_notebooks()

# Building the environment (inside the first test's setup) installs TensorFlow.
pytestmark = pytest.mark.timeout(3600)


@pytest.fixture(scope="module")
def binder_kernels(binder_env, tmp_path_factory):
    """JUPYTER_PATH holding the memory-limited kernel spec, and its kernels' reports folder"""
    base = tmp_path_factory.mktemp("binder-memory")
    reports = base / "reports"
    reports.mkdir()
    return binder_env.kernel_spec(base / "jupyter", reports), reports


def test_binder_env_has_the_pinned_versions(binder_env):
    python = binder_env.python
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
                           capture_output=True, text=True, cwd=binder_env.root)
    assert check.returncode == 0, check.stderr
    assert str(binder_env.root / "venv") in check.stdout  # installed by postBuild, not the checkout


SAVE_STATE = "@jupyter-widgets/jupyterlab-manager:plugin"
READ_DEFAULTS = """import json
from jupyter_server.services.config.manager import ConfigManager
print(json.dumps(ConfigManager(config_dir_name="labconfig").get("default_setting_overrides")))
"""


def test_binder_saves_widget_state_with_the_notebook(binder_env, tmp_path):
    """postBuild turns on "save widget state" in the image's labconfig (as `ckptlab lab`
    does through JUPYTER_CONFIG_PATH): read as the image's JupyterLab reads its default
    settings, with an empty user config and no JUPYTER_CONFIG_PATH."""
    env = {"PATH": binder_env.path, "HOME": str(tmp_path),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    read = subprocess.run([str(binder_env.python), "-c", READ_DEFAULTS], capture_output=True,
                          text=True, env=env, cwd=tmp_path, check=True)
    assert json.loads(read.stdout).get(SAVE_STATE) == {"saveState": True}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO)))
def test_notebook_runs_in_binder_within_2gb(notebook, binder_kernels, tmp_path, monkeypatch):
    """Runs in Binder's environment within 2 GB, and shows the learner nothing stray."""
    jupyter, reports = binder_kernels
    for old in memory_reports(reports):
        old.unlink()
    monkeypatch.setenv("JUPYTER_PATH", str(jupyter))
    try:
        result = execute_copy(notebook, tmp_path, kernel_name=KERNEL_NAME)
    finally:
        reported = [memory_of(path) for path in memory_reports(reports)]
        memory = reported[0] if len(reported) == 1 else {}
        print(f"{notebook.name}: kernel peak resident memory "
              f"{memory.get('peak_rss_bytes', 0) / 2**20:.0f} MiB")
    assert memory, f"{len(reported)} kernel memory reports: was the memory watcher running?"
    assert not memory["killed"]
    assert 0 < memory["peak_rss_bytes"] <= MEMORY_LIMIT_BYTES
    assert list(result.problems) == []
