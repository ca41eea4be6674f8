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
    tutorials = sorted(p.name for p in (REPO / "tutorials").glob("*.ipynb"))
    assert tutorials, "no tutorial to ship"
    for name in tutorials:
        assert f"ckptlab/_notebooks/tutorials/{name}" in names
    assert not any(name.startswith(("tests/", "bench/")) for name in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "ckptlab = ckptlab.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
