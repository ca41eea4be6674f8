"""The package imports cheaply and its command line answers --help and --version."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ckptlab import __version__

HEAVY = ("tensorflow", "plotly", "ipywidgets", "keras", "h5py")


def run_python(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout


def test_import_loads_no_heavy_package():
    loaded = json.loads(run_python(
        "import sys, json, ckptlab; print(json.dumps(sorted(sys.modules)))"))
    assert [name for name in loaded if name.split(".")[0] in HEAVY] == []


def test_import_loads_only_the_standard_library():
    # what keeps `import ckptlab` cheap; its time is measured in bench/bench_import.py
    # (a ratio against a bare interpreter), not asserted here
    loaded = json.loads(run_python(
        "import sys, json, ckptlab; print(json.dumps(sorted(sys.modules)))"))
    third_party = {name.split(".")[0] for name in loaded} - set(sys.stdlib_module_names)
    assert third_party - {"ckptlab", "__main__", "_distutils_hack"} == set()


def test_version_flag():
    result = subprocess.run([sys.executable, "-m", "ckptlab", "--version"],
                            capture_output=True, text=True, check=True)
    assert result.stdout.strip() == f"ckptlab {__version__}"


def test_help_lists_commands_without_importing_tensorflow():
    code = ("import sys\nfrom ckptlab.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print('TF-LOADED' if 'tensorflow' in sys.modules else 'TF-FREE')")
    out = run_python(code)
    assert "lab" in out and "usage: ckptlab" in out
    assert out.strip().endswith("TF-FREE")


def test_console_script_is_installed():
    script = Path(sys.executable).with_name("ckptlab")
    result = subprocess.run([script, "--help"], capture_output=True, text=True, check=True)
    assert result.stdout.startswith("usage: ckptlab")
