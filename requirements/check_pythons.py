"""Install the pinned set into every Python 3.10 to 3.13 found here; check and run a tutorial.

    python requirements/check_pythons.py [--only 3.11.2 ...] [--notebook PATH] [--uv]

Interpreters are looked up on PATH (python3.10 ... python3.13, python3), in pyenv's
versions and in /usr/bin (Debian's python3.11). For each distinct version: a fresh
virtual environment in build/pythons/<version>, `pip install -c constraints.txt .[test]`
(so every pin must install there), then `ckptlab check` on a reference solution (exit 0
expected) and one tutorial executed top to bottom in that environment's own kernel.
Prints one line per interpreter and exits 1 if any step failed. Run by `make pythons`.

--uv is the quick form CI runs on one more Python (tests/notebooks/test_other_python.py):
uv creates the environment and installs the same pins from constraints.txt, runtime
dependencies only (what a learner installs), from uv's download cache when it has them.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WANTED = ("3.10", "3.11", "3.12", "3.13")
CHECKED = ROOT / "tests" / "submissions" / "tf2-round-trip" / "solution.py"
TUTORIAL = ROOT / "tutorials" / "07_tf2_object_checkpoints.ipynb"


def version_of(python: str) -> str:
    try:
        return subprocess.run([python, "-c", "import sys; print('%d.%d.%d' % "
                               "sys.version_info[:3])"], capture_output=True, text=True,
                              timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def find_pythons() -> dict[str, str]:
    """version -> interpreter, one per distinct full version."""
    candidates = [shutil.which(f"python{v}") for v in WANTED] + [shutil.which("python3")]
    pyenv = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    candidates += sorted(glob.glob(f"{pyenv}/versions/3.1[0-3].*/bin/python3"))
    candidates += [f"/usr/bin/python{v}" for v in WANTED]
    found: dict[str, str] = {}
    for python in filter(None, candidates):
        version = version_of(python) if os.access(python, os.X_OK) else ""
        if version.rsplit(".", 1)[0] in WANTED:
            found.setdefault(version, python)
    return dict(sorted(found.items(), key=lambda kv: tuple(map(int, kv[0].split(".")))))


def step(name: str, command: list[str], log, **kwargs) -> float:
    start = time.perf_counter()
    log.write(f"$ {' '.join(command)}\n")
    log.flush()
    done = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, **kwargs)
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed (exit {done.returncode})")
    return time.perf_counter() - start


def install(python: str, venv: Path, log, times: dict[str, float], uv: str | None) -> None:
    """A fresh environment with ckptlab and the pinned set: pip with the test extra, or
    (`uv`: the uv executable) uv with the runtime dependencies only."""
    constraints = str(ROOT / "constraints.txt")
    if uv:
        env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}  # this interpreter, no other
        times["venv"] = step("venv", [uv, "venv", "--quiet", "--python", python, str(venv)],
                             log, env=env)
        times["install"] = step("install", [uv, "pip", "install", "--quiet", "--python",
                                            str(venv / "bin" / "python"), "-c", constraints,
                                            str(ROOT)], log, env=env)
        return
    times["venv"] = step("venv", [python, "-m", "venv", str(venv)], log)
    pip = [str(venv / "bin" / "python"), "-m", "pip"]
    step("pip upgrade", [*pip, "install", "--quiet", "--upgrade", "pip"], log)
    times["install"] = step("install", [*pip, "install", "--quiet", "-c", constraints,
                                        f"{ROOT}[test]"], log)


def try_python(version: str, python: str, notebook: Path, uv: str | None = None) -> str:
    folder = ROOT / "build" / "pythons" / version
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    venv, times = folder / "venv", {}
    with (folder / "log.txt").open("w") as log:
        try:
            install(python, venv, log, times, uv)
            env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
            times["check"] = step("check", [str(venv / "bin" / "ckptlab"), "check",
                                            str(CHECKED)], log, env=env, cwd=folder)
            with tempfile.TemporaryDirectory(prefix="ckptlab-py-") as scratch:
                copy = Path(scratch) / notebook.name
                shutil.copy(notebook, copy)
                times["tutorial"] = step("tutorial", [
                    str(venv / "bin" / "jupyter"), "nbconvert", "--to", "notebook",
                    "--execute", "--ExecutePreprocessor.timeout=300", "--output",
                    str(folder / notebook.name), str(copy)], log, env=env, cwd=scratch)
        except RuntimeError as error:
            return f"FAIL {version:8} {python}: {error}; see {folder / 'log.txt'}"
    shown = ", ".join(f"{k} {v:.0f} s" for k, v in times.items())
    return f"ok   {version:8} {python}: {shown}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=[], help="full versions to try")
    parser.add_argument("--notebook", type=Path, default=TUTORIAL, help="tutorial to run")
    parser.add_argument("--uv", action="store_true",
                        help="install with uv, runtime dependencies only (quicker)")
    args = parser.parse_args(argv)
    uv = None
    if args.uv:
        uv = shutil.which("uv", path=f"{Path(sys.executable).parent}{os.pathsep}"
                                     f"{os.environ.get('PATH', '')}")
        if uv is None:
            print("--uv: no uv found (pip install -c constraints.txt uv)", file=sys.stderr)
            return 1
    pythons = find_pythons()
    if args.only:
        pythons = {v: p for v, p in pythons.items() if v in args.only}
    if not pythons:
        print("no Python 3.10 to 3.13 found", file=sys.stderr)
        return 1
    lines = []
    for version, python in pythons.items():
        print(f"{version}: installing into {python} ...", flush=True)
        lines.append(try_python(version, python, args.notebook, uv))
        print(lines[-1], flush=True)
    print("\n".join(["", *lines]))
    return 0 if all(line.startswith("ok") for line in lines) else 1


if __name__ == "__main__":
    sys.exit(main())
