"""Confirm each case's recorded behaviour on real TensorFlow.

The learner code of a case runs through ckptlab's runner child (the same stages the
checker runs) in the interpreter that has the real library: the parity environment
(TensorFlow 2.15.1 with its own tf.estimator) for Estimator cases, this environment
(TensorFlow 2.21, Keras 3) for TF2 and Keras cases. What the learner code raised in each
stage is compared with the case's `behaviour`: `raises` (a regular expression on the
exception type), `message` (on its message), or nothing raised at all; `hangs` for a
case that never ends by itself.

    python -m tests.corpus.confirm CASE.py TRACK TIMEOUT   (child: prints the errors as JSON)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _interpreter(track: str) -> str | None:
    if track == "estimator":
        return os.environ.get("CKPTLAB_PARITY_PYTHON") or None
    return sys.executable


def observed(case, python: str) -> dict:
    """{"errors": [...], "hung": bool} from running the case in `python`."""
    track = "estimator" if case.track == "estimator" else "tf2"  # Keras cases: the TF2 runner
    result = subprocess.run([python, "-m", "tests.corpus.confirm", str(case.path), track,
                             str(case.timeout)], capture_output=True, text=True, cwd=ROOT,
                            timeout=case.timeout + 120)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"errors": [], "hung": False, "broken": result.stderr[-2000:]}
    return json.loads(lines[-1])


def mismatch(case, seen: dict) -> str:
    """'' when what real TensorFlow did matches the case's recorded behaviour."""
    if seen.get("broken"):
        return f"the runner did not report: {seen['broken'][-300:]}"
    expected = case.behaviour
    if expected.get("hangs"):
        return "" if seen["hung"] else "expected to hang, it ended"
    errors = seen["errors"]
    if expected.get("raises") is None:
        return "" if not errors else (f"expected no exception, got {errors[0]['type']}: "
                                      f"{errors[0]['message'][:200]}")
    for error in errors:
        if re.fullmatch(expected["raises"], error["type"]) and re.search(
                expected.get("message") or "", error["message"]):
            return ""
    got = "; ".join(f"{e['type']}: {e['message'][:160]}" for e in errors) or "nothing raised"
    return f"expected {expected['raises']} /{expected.get('message')}/, got {got}"


def confirm_all(cases, workers: int = 2) -> list[tuple[str, str]]:
    runnable = [(case, _interpreter(case.track)) for case in cases]
    skipped = [(c.id, "CKPTLAB_PARITY_PYTHON is not set") for c, python in runnable if not python]

    def one(item):
        case, python = item
        return case.id, mismatch(case, observed(case, python))

    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = list(pool.map(one, [item for item in runnable if item[1]]))
    return skipped + [(case_id, problem) for case_id, problem in done if problem]


def _child(path: str, track: str, timeout: float) -> None:
    from ckptlab.checker.warm import runner_env as _child_env

    with tempfile.TemporaryDirectory(prefix="ckptlab-confirm-") as scratch:
        copy = Path(scratch) / Path(path).name
        shutil.copy(path, copy)
        results = Path(scratch) / "results.jsonl"
        hung = False
        try:
            subprocess.run([sys.executable, "-m", "tests.corpus.child", str(copy),
                            str(results), track], cwd=scratch, env=_child_env(track),
                           capture_output=True, timeout=timeout, start_new_session=True)
        except subprocess.TimeoutExpired:
            hung = True
        obs = {}
        for line in results.read_text(errors="replace").splitlines() if results.exists() else []:
            try:
                obs = json.loads(line).get("obs", obs)
            except ValueError:
                continue
        print(json.dumps({"errors": obs.get("errors", []), "hung": hung}))


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2], float(sys.argv[3]))
