"""`ckptlab trace FILE.py`: runs the learner's file safely and reports the mode trace."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden" / "trace"
UPDATE = os.environ.get("CKPTLAB_UPDATE_GOLDEN") == "1"
SHIFTED = '''
import os
assert os.environ.get("TF_USE_LEGACY_KERAS") == "1", "set before TensorFlow is imported"
import tensorflow.compat.v1 as tf

PARAMS = {"units": 3}


class Spec:  # the tracer only reads EstimatorSpec fields
    def __init__(self, mode, predictions=None, loss=None, train_op=None):
        self.mode, self.predictions, self.loss, self.train_op = mode, predictions, loss, train_op


def model_fn(features, labels, mode, params):
    x = features["x"]
    if mode == "train":
        x = tf.layers.dense(x, params["units"])
    out = tf.layers.dense(x, 1)
    return Spec(mode, predictions=out, loss=tf.reduce_mean(out), train_op=tf.no_op())
'''


def trace(path: Path, *options: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    env.pop("TF_USE_LEGACY_KERAS", None)
    return subprocess.run([sys.executable, "-m", "ckptlab", "trace", str(path), *options],
                          capture_output=True, text=True, env=env, cwd=path.parent, timeout=300)


def test_text_report_names_the_shifted_layer(tmp_path):
    learner = tmp_path / "model.py"
    learner.write_text(SHIFTED)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = trace(learner)
    assert result.returncode == 1, result.stderr
    assert "model.py, line 18 makes 'dense_1' in TRAIN but 'dense' in EVAL: auto-numbered names " \
           "shifted ('dense_1' vs 'dense')" in result.stdout
    assert "'dense' is built by" not in result.stdout  # explained by the shift above
    assert "dense_1/kernel (3, 1) float32" in result.stdout  # PARAMS reached model_fn
    assert learner.read_text() == SHIFTED
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written next to it


def test_json_output(tmp_path):
    learner = tmp_path / "model.py"
    learner.write_text(SHIFTED)
    data = json.loads(trace(learner, "--json").stdout)
    assert [mode["mode"] for mode in data["modes"]] == ["train", "eval", "infer"]
    assert data["comparison"]["shifted"][0]["train_name"] == "dense_1"


@pytest.mark.parametrize(("source", "expected"), [
    ("x = 1\ny = x / 0\n", "bad.py failed while ckptlab ran it (bad.py, line 2: y = x / 0): "
                           "ZeroDivisionError: division by zero"),
    ("import sys\nsys.exit(3)\n", "bad.py failed while ckptlab ran it (bad.py, line 2: "
                                  "sys.exit(3)): SystemExit: 3"),
    ("def modelfn(features):\n    pass\n", "bad.py defines no model_fn function."),
])
def test_errors_in_the_file_are_readable(tmp_path, source, expected):
    learner = tmp_path / "bad.py"
    learner.write_text(source)
    result = trace(learner)
    assert result.returncode == 2
    assert f"ckptlab trace: {expected}\n" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file(tmp_path):
    result = trace(tmp_path / "nope.py")
    assert result.returncode == 2 and "No such file" in result.stderr


@pytest.mark.skipif(not (REPO / "ckptlab" / "estimator" / "shim.py").exists(),
                    reason="the engine's legacy shim (ckptlab/estimator/shim.py) is not there")
def test_legacy_tf_estimator_code_runs_through_the_shim(tmp_path):
    learner = tmp_path / "legacy.py"
    learner.write_text(
        "import tensorflow.compat.v1 as tf\n\n"
        "def model_fn(features, labels, mode):\n"
        "    out = tf.layers.dense(features['x'], 1, name='out')\n"
        "    if mode == tf.estimator.ModeKeys.PREDICT:\n"
        "        return tf.estimator.EstimatorSpec(mode, predictions=out)\n"
        "    loss = tf.losses.mean_squared_error(labels, out)\n"
        "    op = tf.train.GradientDescentOptimizer(0.1).minimize(\n"
        "        loss, tf.train.get_global_step())\n"
        "    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=op)\n")
    result = trace(learner)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Findings: none, the modes agree." in result.stdout


def test_golden_text_for_swapped_auto_named_layers(tmp_path):
    """The whole report for legacy code whose hidden layers swap names outside TRAIN.

    Regenerate with CKPTLAB_UPDATE_GOLDEN=1 (op counts are TensorFlow 2.21's).
    """
    learner = tmp_path / "swapped_layers.py"
    learner.write_text((GOLDEN / "swapped_layers.py").read_text())
    result = trace(learner)
    assert result.returncode == 1, result.stderr
    golden = GOLDEN / "swapped_layers.txt"
    if UPDATE:
        golden.write_text(result.stdout)
    assert result.stdout == golden.read_text()
