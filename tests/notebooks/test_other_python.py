"""ckptlab installs and works on one more Python than the suite's own.

The oldest supported interpreter found here other than the running one (3.10 when pyenv
has it: its pins differ most, see the markers in constraints.txt) gets a fresh
environment with the pinned set, as `make pythons` does for every interpreter, in its quick
form (requirements/check_pythons.py --uv: uv installs the runtime dependencies from
constraints.txt). Then, in that environment, `ckptlab check` passes a reference solution
and a tutorial runs top to bottom in its own kernel; and what got installed is exactly
constraints.txt's pin for that Python, package by package.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import skip_or_fail
from tests.helpers.notebooks import REPO

pytestmark = pytest.mark.timeout(1800)  # a first run downloads TensorFlow

SCRIPT = REPO / "requirements" / "check_pythons.py"


def check_pythons():
    spec = importlib.util.spec_from_file_location("check_pythons", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def other_python() -> tuple[str, str]:
    """(full version, interpreter): the oldest supported minor version unlike ours."""
    ours = "{}.{}".format(*sys.version_info[:2])
    found = {version: python for version, python in check_pythons().find_pythons().items()
             if version.rsplit(".", 1)[0] != ours}
    if not found:
        skip_or_fail(f"no Python 3.10-3.13 other than {ours} is installed",
                     "pyenv install 3.10 (or any of 3.10-3.13 besides this one)")
    version = next(iter(found))  # find_pythons sorts by version
    return version, found[version]


def pins_for(python: str) -> dict[str, str]:
    """constraints.txt's pins that apply to `python`, by canonical name."""
    environment = json.loads(subprocess.run(
        [python, "-c", "import json, platform, sys, os; print(json.dumps({"
         "'python_full_version': platform.python_version(), 'python_version': "
         "'%d.%d' % sys.version_info[:2], 'sys_platform': sys.platform, 'os_name': os.name,"
         " 'implementation_name': sys.implementation.name, 'platform_machine': "
         "platform.machine(), 'platform_system': platform.system()}))"],
        capture_output=True, text=True, check=True).stdout)
    pins = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate(environment):
            (specifier,) = requirement.specifier
            pins[canonicalize_name(requirement.name)] = specifier.version
    return pins


def test_another_python_installs_the_pins_checks_and_runs_a_tutorial():
    version, python = other_python()
    done = subprocess.run([sys.executable, str(SCRIPT), "--uv", "--only", version],
                          capture_output=True, text=True, timeout=1700, cwd=REPO)
    log = REPO / "build" / "pythons" / version / "log.txt"
    assert done.returncode == 0, done.stdout[-2000:] + (log.read_text()[-4000:]
                                                          if log.exists() else "")
    assert f"ok   {version}" in done.stdout, done.stdout
    print(done.stdout.strip().splitlines()[-1])  # the timings, for the CI log

    executed = REPO / "build" / "pythons" / version / check_pythons().TUTORIAL.name
    kernel = json.loads(executed.read_text())["metadata"]["language_info"]["version"]
    assert kernel == version  # the tutorial ran in that environment's own kernel

    venv_python = REPO / "build" / "pythons" / version / "venv" / "bin" / "python"
    installed = json.loads(subprocess.run(
        [str(venv_python), "-c", "import json, importlib.metadata as m; print(json.dumps("
         "{d.metadata['Name']: d.version for d in m.distributions()}))"],
        capture_output=True, text=True, check=True).stdout)
    installed = {canonicalize_name(name): v for name, v in installed.items()}
    assert installed.pop("ckptlab")
    pins = pins_for(python)
    unpinned = sorted(set(installed) - set(pins))
    assert not unpinned, f"installed on {version} without a pin: {unpinned}"
    differing = {name: (v, pins[name]) for name, v in installed.items() if v != pins[name]}
    assert not differing, f"on {version}, installed != pinned: {differing}"
    assert "tensorflow" in installed and "jupyterlab" in installed
