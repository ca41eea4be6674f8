"""Record the real tf.estimator 2.15's transcripts that ckptlab ships (see
ckptlab/estimator/recorded.py), from the parity runner's JSON.

    python -m tests.parity.record_transcripts   # needs CKPTLAB_PARITY_PYTHON or .venv-parity
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from tests.parity.harness import REPO, start_side

SHIPPED = REPO / "ckptlab" / "estimator" / "recorded_2_15.json"
# the scenarios the tutorials show next to ckptlab's engine
SCENARIOS = ("train_once", "train_twice", "evaluate_after_train", "predict_consumed_fully",
             "predict_ten_times_one_example", "variable_only_in_predict",
             "predict_without_checkpoint", "reuse_outside_train", "silent_shape_change",
             "train_op_without_global_step")


def compact(summary: dict) -> dict:
    """The part a learner compares: calls, model_fn calls, restores, saves, errors, logs."""
    calls = [{"api": c["api"], "estimator": c.get("estimator", 0),
              "model_fn": [{"mode": m["mode"], "graph": m["graph"]} for m in c["model_fn"]],
              "restored": c["restored"], "saved": c["saved"], "status": c["status"]}
             for c in summary["trace"]]
    error = summary.get("error")
    if isinstance(error, dict):
        error = f"{error.get('class')}: {error.get('message')}"
    return {"calls": calls, "error": error,
            "logs": [str(line) for line in summary.get("logs", [])]}


def record(python: str) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        real = start_side("real", python, Path(scratch), list(SCENARIOS)).result()
    return {name: compact(real[name]) for name in SCENARIOS}


def main() -> int:
    python = os.environ.get("CKPTLAB_PARITY_PYTHON") or str(REPO / ".venv-parity/bin/python")
    SHIPPED.write_text(json.dumps(record(python), indent=1, sort_keys=True) + "\n")
    print(f"wrote {SHIPPED.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
