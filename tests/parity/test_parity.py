"""The engine behaves like the real tf.estimator 2.15, scenario by scenario.

Both sides run tests/parity/scenarios.py in a subprocess (real: the parity venv with
tensorflow 2.15 + tensorflow-estimator; engine: this venv with the legacy shim) and each
writes a normalised JSON summary. A difference fails with a unified diff, also appended
to build/parity/last-run.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail
from tests.parity.harness import (
    PARITY_PYTHON_VARIABLE,
    REPO,
    append_report,
    engine_missing,
    load_exports,
    parity_python,
    readable_diff,
    scenario_names,
    start_side,
)

NAMES = scenario_names()
REPORT = REPO / "build" / "parity" / "last-run.md"


@dataclass
class Runs:
    real: dict
    engine: dict | None
    engine_reason: str | None
    root: Path


@pytest.fixture(scope="session")
def runs(tmp_path_factory) -> Runs:
    python = parity_python()
    if python is None:
        skip_or_fail(f"{PARITY_PYTHON_VARIABLE} is unset or not a file",
                     "make parity (creates .venv-parity with tensorflow 2.15 and sets it)")
    root = tmp_path_factory.mktemp("parity")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("# Parity differences (real tf.estimator -> ckptlab engine)\n")
    real = start_side("real", python, root)
    reason = engine_missing()
    engine = None if reason else start_side("engine", __import__("sys").executable, root)
    return Runs(real.result(), engine.result() if engine else None, reason, root)


def engine_summary(runs: Runs, name: str) -> dict:
    if runs.engine is None:
        skip_or_fail(f"the engine side cannot run: {runs.engine_reason}",
                     "finish ckptlab/estimator/ and its legacy shim")
    return runs.engine[name]


def test_suite_covers_enough_scenarios():
    assert len(NAMES) >= 15, NAMES


@pytest.mark.parametrize("name", NAMES)
def test_engine_matches_real_estimator(runs, name):
    real = runs.real[name]
    assert "harness_error" not in real, real.get("harness_error")
    diff = readable_diff(name, real, engine_summary(runs, name))
    if diff:
        append_report(REPORT, name, diff)
        pytest.fail(f"the engine differs from tf.estimator 2.15 in {name!r}:\n{diff}",
                    pytrace=False)


def calls_of(summary: dict) -> list[tuple[str, int, int]]:
    """(api, model_fn calls, restores) per API call, in order."""
    return [(call["api"], len(call["model_fn"]), len(call["restored"]))
            for call in summary["trace"]]


# facts.md's call-count table, checked on the real side: the harness sees what is true
FACTS = {
    "train_once": [("train", 1, 0)],
    "train_twice": [("train", 1, 0), ("train", 1, 1)],
    "evaluate_after_train": [("train", 1, 0), ("evaluate", 1, 1)],
    "predict_consumed_fully": [("train", 1, 0), ("predict", 1, 1)],
    "predict_ten_times_one_example": [("train", 1, 0)] + [("predict", 1, 1)] * 10,
    "export_saved_model": [("train", 1, 0), ("export_saved_model", 1, 1)],
    "train_and_evaluate": [("train", 1, 0), ("evaluate", 1, 1), ("evaluate", 1, 1)],
}


@pytest.mark.parametrize("name", sorted(FACTS))
def test_real_estimator_trace_matches_facts(runs, name):
    summary = runs.real[name]
    assert summary["error"] is None, summary["error"]
    assert calls_of(summary) == FACTS[name]
    graphs = [m["graph"] for call in summary["trace"] for m in call["model_fn"]]
    assert len(set(graphs)) == len(graphs), "each model_fn call gets a fresh graph"


def test_real_estimator_errors_are_recorded(runs):
    assert runs.real["spec_error_train_no_loss"]["error"] == {
        "class": "ValueError", "message": "Missing loss."}
    assert "Key model/calibration not found in checkpoint" in (
        runs.real["variable_only_in_predict"]["error"]["message"])


def test_exported_saved_model_loads_on_tf_2_21(runs):
    engine_summary(runs, "export_saved_model")  # skips or fails without the engine
    bases = {side: runs.root / side / "export_saved_model" / "export"
             for side in ("real", "engine")}
    loaded = load_exports(runs.root, bases)
    assert "error" not in loaded["real"], loaded["real"]
    diff = readable_diff("export_saved_model (loaded on TF 2.21)", loaded["real"],
                         loaded["engine"])
    if diff:
        append_report(REPORT, "export_saved_model loaded with tf.saved_model.load", diff)
        pytest.fail(diff, pytrace=False)
