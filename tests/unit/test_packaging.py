"""The wheel a user gets from `pip install ckptlab` carries the notebooks `ckptlab lab` opens."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_wheel_ships_package_and_notebooks(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                    "-w", str(tmp_path), str(REPO)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("ckptlab-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "ckptlab/__init__.py" in names and "ckptlab/cli.py" in names
    # the JupyterLab defaults `ckptlab lab` sets (save widget state with the notebook)
    assert ("ckptlab/commands/jupyter_config/labconfig/default_setting_overrides.d/"
            "ckptlab.json") in names
    tutorials = sorted(p.name for p in (REPO / "tutorials").glob("*.ipynb"))
    assert tutorials, "no tutorial to ship"
    for name in tutorials:
        assert f"ckptlab/_notebooks/tutorials/{name}" in names
    assert not any(name.startswith(("tests/", "bench/")) for name in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "ckptlab = ckptlab.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    license_file = next(n for n in names if n.endswith(".dist-info/licenses/LICENSE"))
    assert "Apache License" in zipfile.ZipFile(wheel).read(license_file).decode()
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA")))
    assert b"License-Expression: Apache-2.0" in metadata


def test_license_file_matches_the_metadata():
    text = (REPO / "LICENSE").read_text()
    assert text.lstrip().startswith("Apache License") and "Version 2.0, January 2004" in text
    assert 'license = "Apache-2.0"' in (REPO / "pyproject.toml").read_text()


def test_binder_requirements_name_every_runtime_dependency():
    """binder/postBuild installs ckptlab with --no-deps: a dependency missing from
    binder/requirements.txt is missing on Binder (a tutorial then fails on import)."""
    import re  # (tomllib is 3.11+; the suite also runs on 3.10)

    block = (REPO / "pyproject.toml").read_text().split("\ndependencies = [", 1)[1]
    wanted = re.findall(r'"([^"]+)"', block.split("]", 1)[0])
    names = {re.split(r"[<>=!~; \[]", spec, maxsplit=1)[0].lower() for spec in wanted}
    listed = {line.strip().lower() for line in
              (REPO / "binder" / "requirements.txt").read_text().splitlines()
              if line.strip() and not line.startswith(("#", "-"))}
    assert names <= listed, sorted(names - listed)
