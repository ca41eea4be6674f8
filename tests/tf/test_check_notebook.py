"""ckptlab.check(...) in a live Python session: results, time limit, no state left behind."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
import threading
from pathlib import Path

import tensorflow as tf

import ckptlab

SUBMISSIONS = Path(__file__).resolve().parents[1] / "submissions"


def _functions(name: str) -> dict:
    namespace = runpy.run_path(str(SUBMISSIONS / name))
    return {key: namespace[key] for key in ("build_model", "save", "restore")}


def test_tf2_functions_pass_and_fail_in_process():
    good = ckptlab.check(**_functions("tf2-round-trip/solution.py"))
    assert good.verdict == "pass" and good.track == "tf2"
    assert good.stages[-1] == "compare"
    bad = ckptlab.check("tf2-round-trip", **_functions("tf2-round-trip/wrong_write_then_latest.py"))
    assert bad.exercise == "tf2-round-trip"
    assert "WRONG_CHECKPOINT_PATH" in bad.codes("error")
    assert "<details" in bad._repr_html_() and "WRONG_CHECKPOINT_PATH" in str(bad)


def test_a_hang_is_stopped_and_the_session_is_left_clean():
    graph = tf.compat.v1.get_default_graph()
    ops_before = len(graph.get_operations())
    threads_before = threading.active_count()

    def build_model():
        while True:
            pass

    functions = _functions("tf2-round-trip/solution.py")
    report = ckptlab.check(build_model=build_model, save=functions["save"],
                           restore=functions["restore"], timeout=2)
    assert report.codes() == ["TIMEOUT"] and report.verdict == "error"
    assert report.notes == ()  # the watchdog stopped the loop, no thread left behind
    assert threading.active_count() == threads_before
    assert len(graph.get_operations()) == ops_before
    assert tf.compat.v1.global_variables() == []


def test_estimator_model_fn_in_a_legacy_session():
    # tf.compat.v1.layers needs TF_USE_LEGACY_KERAS before TensorFlow is imported: a new
    # interpreter plays the learner's kernel.
    code = f"""
import json, runpy
import tensorflow as tf
import ckptlab
from ckptlab.checker.runners.tracks import install_legacy_support
install_legacy_support()
ns = runpy.run_path({str(SUBMISSIONS / 'estimator-training-state/wrong_params_shape_change.py')!r})
graph = tf.compat.v1.get_default_graph()
report = ckptlab.check(ns["model_fn"], params=ns["PARAMS"], restore_params=ns["RESTORE_PARAMS"])
print(json.dumps([report.verdict, report.codes(), len(graph.get_operations()),
                  len(tf.compat.v1.global_variables())]))
"""
    env = {**os.environ, "TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=300)
    verdict, codes, ops, variables = json.loads(out.stdout.strip().splitlines()[-1])
    assert (verdict, codes, ops, variables) == ("fail", ["SHAPE_MISMATCH"], 0, 0)
