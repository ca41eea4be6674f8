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


def test_a_limit_out_of_range_is_refused_before_any_check(tmp_path):
    """--processes 0 would leave the check unable to start a thread, a negative time limit
    would stop it at once: refused with the option, its range and its default, exit 2."""
    submission = tmp_path / "a.py"
    submission.write_text("def model_fn(features, labels, mode):\n    pass\n")
    cases = {("check", str(submission), "--processes", "0"): "--processes",
             ("check", str(submission), "--timeout", "-1"): "--timeout",
             ("grade", str(tmp_path), "--exercise", "01", "--out", str(tmp_path / "out"),
              "--memory-mb", "0"): "--memory-mb"}
    for argv, option in cases.items():
        result = subprocess.run([sys.executable, "-m", "ckptlab", *argv], capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 2, result
        assert " must be a " in result.stderr and f"Give {option} (" in result.stderr, \
            result.stderr
        assert "or leave it out (default" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


def test_a_limit_out_of_range_is_refused_in_python_too():
    """ckptlab.check(timeout=0) and a fraction of a MB are refused at once, before any
    check runs, naming where the limit is set."""
    import pytest

    import ckptlab
    from ckptlab.checker.limits import Limits
    from ckptlab.errors import UsageError

    with pytest.raises(UsageError) as refused:
        ckptlab.check(lambda features, labels, mode: None, timeout=0)
    assert "time limit in seconds (timeout) must be a number from 0.1" in str(refused.value)
    assert "timeout= (ckptlab.check())" in str(refused.value)
    for limits in ({"memory_mb": 1.5}, {"processes": True}, {"disk_mb": "64"}):
        with pytest.raises(UsageError, match="must be a whole number from 1 to") as refused:
            Limits(**limits)
        name = next(iter(limits))  # and where a grader in Python sets it
        assert f"{name}= of ckptlab.checker.limits.Limits" in str(refused.value)
    assert Limits(timeout=1, memory_mb=64).timeout == 1  # a whole number of seconds is fine
