"""The legacy shim runs TF <= 2.15 style Estimator code unchanged (fresh Python processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

LEGACY_PROGRAM = """
import json, os, sys
import ckptlab.estimator.shim  # the one line a learner adds
import numpy as np
import tensorflow.compat.v1 as tf

X = np.random.RandomState(0).rand(64, 2).astype("float32")
Y = (X.sum(axis=1) > 1).astype("int64")

def model_fn(features, labels, mode, params):
    logits = tf.layers.dense(tf.layers.dense(features["x"], 8, tf.nn.relu), 2)
    classes = tf.argmax(logits, axis=1)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"class": classes})
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    if mode == tf.estimator.ModeKeys.EVAL:
        metrics = {"accuracy": tf.metrics.accuracy(labels, classes)}
        return tf.estimator.EstimatorSpec(mode, loss=loss, eval_metric_ops=metrics)
    step = tf.train.get_global_step() if params["use_global_step"] else None
    train_op = tf.train.AdamOptimizer(0.01).minimize(loss, global_step=step)
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)

def finite_input():
    return tf.data.Dataset.from_tensor_slices(({"x": X}, Y)).batch(8)  # 8 batches

class Steps(tf.train.SessionRunHook):
    runs = 0
    def after_run(self, run_context, run_values):
        Steps.runs += 1

report = {"same_class": tf.estimator.Estimator is tf.compat.v1.estimator.Estimator}
good = tf.estimator.Estimator(model_fn, model_dir=sys.argv[1] + "/good",
                              params={"use_global_step": True})
good.train(finite_input, steps=3)
report["metrics"] = sorted(good.evaluate(finite_input))
report["prediction"] = sorted(next(good.predict(lambda: tf.data.Dataset.from_tensor_slices(
    {"x": X}).batch(4))))
stuck = tf.estimator.Estimator(model_fn, model_dir=sys.argv[1] + "/stuck",
                               params={"use_global_step": False})
stuck.train(finite_input, steps=3, hooks=[Steps()])
report["stuck_steps"] = Steps.runs
report["stuck_files"] = sorted(n for n in os.listdir(sys.argv[1] + "/stuck") if "ckpt" in n)
report["stuck_warnings"] = [e.data["message"] for e in stuck.recorder.of_kind("warning")]
print("REPORT" + json.dumps(report))
"""


def run_python(code: str, *args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "TF_USE_LEGACY_KERAS"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=300)


def test_legacy_estimator_code_runs_unchanged_and_shows_the_global_step_trap(tmp_path):
    done = run_python(LEGACY_PROGRAM, str(tmp_path))
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.split("REPORT", 1)[1])
    assert report["same_class"] is True
    assert report["metrics"] == ["accuracy", "global_step", "loss"]
    assert report["prediction"] == ["class"]
    # train_op without global_step: steps=3 does not stop it; only model.ckpt-0 is written
    assert report["stuck_steps"] == 8
    assert report["stuck_files"] == ["model.ckpt-0.data-00000-of-00001",
                                     "model.ckpt-0.index", "model.ckpt-0.meta"]
    assert any(message.startswith("It seems that global step (tf.train.get_global_step) has "
                                  "not been increased.") for message in report["stuck_warnings"])


def test_shim_after_keras3_layers_were_used_raises_a_clear_error():
    done = run_python("""
        import tensorflow as tf
        try:
            tf.compat.v1.layers.dense
        except AttributeError:
            pass  # Keras 3: no legacy layers, and now TensorFlow remembers that
        import ckptlab
        try:
            ckptlab.install_estimator_shim()
        except ckptlab.CkptlabError as error:
            print("ERROR", type(error).__name__, error)
    """)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "ERROR SetupError TensorFlow was imported without TF_USE_LEGACY_KERAS=1" in done.stdout
    assert "Fix: Restart the kernel (or Python) and call ckptlab.install_estimator_shim() " \
        "before anything imports TensorFlow" in done.stdout


def test_shim_after_a_plain_tensorflow_import_still_works():
    done = run_python("""
        import tensorflow as tf
        import ckptlab
        ckptlab.install_estimator_shim()
        with tf.Graph().as_default():
            out = tf.compat.v1.layers.dense(tf.zeros([1, 3]), 2)
        print("OK", out.shape, tf.estimator.ModeKeys.PREDICT)
    """)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "OK (1, 2) infer" in done.stdout
