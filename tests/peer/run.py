"""Run tf.estimator 2.15's own tests, unchanged, on the real tf.estimator or on the engine.

    python -m tests.peer.run UPSTREAM [--side engine|real|both] [--v1] [-k EXPR] [FILE ...]

UPSTREAM is the `tensorflow_estimator/python/estimator` directory of a tensorflow/estimator
checkout at tag v2.15.0 (not part of this repository: CI has no network to fetch it).
The test files are copied as they are into a scratch directory and run by pytest: on the
engine side in this interpreter with the adapter plugin (tests/peer/adapter.py), on the
real side in the parity interpreter (CKPTLAB_PARITY_PYTHON or .venv-parity) against the
installed tensorflow-estimator. `--v1` runs them with TF1 behaviour (the tests marked
run_v1_only then run too). Outcomes go to build/peer/<side>[-v1].json; with both sides,
the in-scope comparison (tests/peer/scope.py) is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from tests.peer.scope import compare, render_comparison

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
FILES = ("estimator_test.py", "model_fn_test.py", "run_config_test.py", "training_test.py",
         "export/export_test.py", "exporter_test.py", "hooks/hooks_test.py",
         "hooks/basic_session_run_hooks_test.py", "early_stopping_test.py",
         "object_checkpointing_test.py")
OUT = REPO / "build" / "peer"


def _python(side: str) -> str:
    if side == "engine":
        return sys.executable
    path = os.environ.get("CKPTLAB_PARITY_PYTHON") or str(REPO / ".venv-parity" / "bin" / "python")
    if not Path(path).is_file():
        sys.exit(f"peer-suite: no parity interpreter at {path}; run `make parity` once "
                 "or set CKPTLAB_PARITY_PYTHON")
    return path


def _env(side: str, upstream: Path, v1: bool, helpers: bool) -> dict[str, str]:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(REPO),
           "CKPTLAB_PEER_UPSTREAM": str(upstream), "CKPTLAB_PEER_SIDE": side}
    if side == "real":
        env.pop("TF_USE_LEGACY_KERAS", None)  # TF 2.15 brings its own Keras 2
    else:
        env["TF_USE_LEGACY_KERAS"] = "1"
    if v1:
        env["CKPTLAB_PEER_V1"] = "1"
    if helpers:
        env["CKPTLAB_PEER_PRIVATE_HELPERS"] = "1"
    return env


def outcomes(junit: Path) -> dict[str, dict[str, str]]:
    """'file::Class::test' -> {'outcome': passed|failed|skipped, 'message': first line}."""
    found = {}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        module = case.get("classname", "").rsplit(".", 1)
        name = f"{module[0]}.py::{module[-1]}::{case.get('name')}" if len(module) == 2 \
            else f"{case.get('classname')}::{case.get('name')}"
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error"):
                outcome, message = "failed", (child.get("message") or "")
            elif child.tag == "skipped":
                outcome, message = "skipped", (child.get("message") or "")
        found[name] = {"outcome": outcome, "message": message.strip().splitlines()[0][:300]
                       if message.strip() else ""}
    return found


def run_side(side: str, upstream: Path, files: list[str], v1: bool, select: str | None,
             helpers: bool = False) -> dict[str, dict[str, str]]:
    with tempfile.TemporaryDirectory(prefix=f"peer-{side}-") as scratch:
        work = Path(scratch)
        for relative in files:  # unchanged copies, flat: no tensorflow_estimator package
            shutil.copy(upstream / relative, work / Path(relative).name)
        junit = work / "junit.xml"
        command = [_python(side), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                   "-c", str(HERE / "pytest.ini"), "--rootdir", str(work),
                   f"--junitxml={junit}", "-p", "tests.peer.plugin",
                   "--continue-on-collection-errors"]
        if side == "engine":
            command += ["--timeout=300"]
        if select:
            command += ["-k", select]
        command += [str(work / Path(relative).name) for relative in files]
        subprocess.run(command, cwd=work, env=_env(side, upstream, v1, helpers),
                       stdout=subprocess.DEVNULL if not os.environ.get("PEER_VERBOSE")
                       else None)
        return outcomes(junit) if junit.exists() else {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("upstream", type=Path)
    parser.add_argument("files", nargs="*", default=list(FILES))
    parser.add_argument("--side", choices=("engine", "real", "both"), default="both")
    parser.add_argument("--v1", action="store_true")
    parser.add_argument("-k", dest="select")
    parser.add_argument("--private-helpers", action="store_true",
                        help="also map the few private helpers tf.estimator's tests use to "
                             "set up (a second measurement; the real side runs as always)")
    args = parser.parse_args(argv)
    upstream = args.upstream.resolve()
    missing = [f for f in args.files if not (upstream / f).is_file()]
    if missing:
        sys.exit(f"peer-suite: {upstream} lacks {missing}; pass the "
                 "tensorflow_estimator/python/estimator directory of tensorflow/estimator "
                 "at tag v2.15.0")
    OUT.mkdir(parents=True, exist_ok=True)
    suffix = ("-v1" if args.v1 else "") + ("-helpers" if args.private_helpers else "") + (
        "-partial" if args.select or list(args.files) != list(FILES) else "")
    sides = ("real", "engine") if args.side == "both" else (args.side,)
    results = {}
    for side in sides:
        results[side] = run_side(side, upstream, args.files, args.v1, args.select,
                                 args.private_helpers and side == "engine")
        name = f"{side}{suffix if side == 'engine' else suffix.replace('-helpers', '')}"
        (OUT / f"{name}.json").write_text(json.dumps(results[side], indent=1, sort_keys=True))
    real_suffix = suffix.replace("-helpers", "")  # the real side never needs the helpers
    if "real" not in results and (OUT / f"real{real_suffix}.json").exists():
        results["real"] = json.loads((OUT / f"real{real_suffix}.json").read_text())
    if "engine" not in results and (OUT / f"engine{suffix}.json").exists():
        results["engine"] = json.loads((OUT / f"engine{suffix}.json").read_text())
    if len(results) == 2:
        print(render_comparison(compare(upstream, results["real"], results["engine"],
                                        args.private_helpers)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
