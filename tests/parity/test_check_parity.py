"""The checker gives the same verdicts under the real tf.estimator 2.15 as on the engine.

Each Estimator exercise's submissions are checked with `ckptlab check --json` run by the
parity interpreter (TensorFlow 2.15 with its own tf.estimator); the expected codes are
the ones tests/tf/test_check_exercises.py asserts on the engine.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail
from tests.parity.harness import PARITY_PYTHON_VARIABLE, parity_python, side_env
from tests.tf.test_check_exercises import EXPECTED

SUBMISSIONS = Path(__file__).resolve().parents[1] / "submissions"
CASES = [(exercise, name, code) for exercise, wrong in sorted(EXPECTED.items())
         if exercise.startswith("estimator-")
         for name, code in [("solution.py", None), *sorted(wrong.items())]]


@pytest.mark.parametrize(("exercise", "name", "code"), CASES)
def test_real_tf_estimator_gives_the_same_verdict(exercise, name, code):
    python = parity_python()
    if python is None:
        skip_or_fail(f"{PARITY_PYTHON_VARIABLE} is unset or not a file",
                     "make parity (creates .venv-parity with tensorflow 2.15 and sets it)")
    result = subprocess.run([python, "-m", "ckptlab", "check", "--json",
                             str(SUBMISSIONS / exercise / name)],
                            capture_output=True, text=True, timeout=600,
                            cwd=Path(__file__).resolve().parents[2], env=side_env("real"))
    report = json.loads(result.stdout)
    codes = [f["code"] for f in report["findings"] if f["severity"] == "error"]
    if code is None:
        assert (report["verdict"], codes) == ("pass", [])
    else:
        assert report["verdict"] == "fail" and code in codes, codes
