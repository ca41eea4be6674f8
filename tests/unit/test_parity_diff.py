"""A parity difference fails with a diff that names the scenario and the differing field.

The summary is one the real tf.estimator 2.15 produced for the `resume_training` scenario
(tests/parity/runner.py), altered here the way a broken engine would differ.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from tests.parity.harness import differing_fields, readable_diff

REAL = json.loads((Path(__file__).parent / "data" / "parity_resume_training_real.json")
                  .read_text())


def test_equal_summaries_give_no_diff():
    assert readable_diff("resume_training", REAL, copy.deepcopy(REAL)) == ""


def test_an_altered_summary_names_the_scenario_and_the_fields():
    engine = copy.deepcopy(REAL)
    engine["trace"][2]["restored"] = ["model.ckpt-0"]  # resumed from the wrong checkpoint
    engine["dirs"]["<work>"]["checkpoint_state"]["model"]["latest"] = "model.ckpt-6"

    diff = readable_diff("resume_training", REAL, engine)

    assert diff.startswith("scenario resume_training: 2 field(s) differ:\n"
                           "  dirs > <work> > checkpoint_state > model > latest\n"
                           "  trace[2] > restored[0]\n")
    assert "--- real tf.estimator: resume_training\n" in diff
    assert "+++ ckptlab engine: resume_training\n" in diff
    assert '-    "model.ckpt-6"\n+    "model.ckpt-0"\n' in diff
    assert '-     "latest": "model.ckpt-10"\n+     "latest": "model.ckpt-6"\n' in diff


def test_missing_items_and_keys_are_named_with_counts():
    engine = copy.deepcopy(REAL)
    engine["dirs"]["<work>"]["files"].remove("model/graph.pbtxt")
    engine["error"] = {"class": "ValueError", "message": "boom"}
    del engine["logs"]
    engine["harness_error"] = "Traceback ..."

    assert differing_fields(REAL, engine) == [
        "dirs > <work> > files (real: 12 items, engine: 11)",
        "error",
        "harness_error (only on the engine side)",
        "logs (only on the real side)",
    ]
    assert '-    "model/graph.pbtxt",\n' in readable_diff("resume_training", REAL, engine)
