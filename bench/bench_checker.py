"""The exercise checker's speed: in a notebook, from a cold CLI, and batch grading.

1. In-notebook: ckptlab.check(model_fn) for a correct two-layer model_fn, TensorFlow
   already imported, against the minimal hand-written round trip (train, then evaluate
   and predict with new Estimators on the same model_dir) measured in the same process.
   Target (issue 13): <= 2x the baseline.
2. `ckptlab check FILE` from a cold process, against `python -c "import tensorflow"`
   measured in the same run (interleaved). Target: <= 2x the baseline.
3. `ckptlab grade --require-sandbox` throughput on 20 submissions with 2 workers (one
   grader process, --engine threads). Target: >= 40 submissions/min on 2 cores.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import Result, Timing, run_measured

REPO = Path(__file__).resolve().parents[1]
SUBMISSIONS = REPO / "tests" / "submissions"
TWO_LAYERS = '''
import tensorflow.compat.v1 as tf

def model_fn(features, labels, mode):
    x = features["x"]
    w1 = tf.get_variable("w1", [4, 8])
    w2 = tf.get_variable("w2", [8, 1])
    out = tf.matmul(tf.nn.relu(tf.matmul(x, w1)), w2)
    if mode == "infer":
        return tf.estimator.EstimatorSpec(mode, predictions={"y": out})
    loss = tf.losses.mean_squared_error(labels, out)
    step = tf.train.AdamOptimizer(0.05).minimize(loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=step)
'''
IN_KERNEL = '''
import json, sys, tempfile, time
import tensorflow as tf
import ckptlab
from ckptlab.checker.runners.tracks import install_legacy_support
from ckptlab.checker.runners.estimator import default_input_fn
install_legacy_support()
exec(sys.argv[2])
def baseline():
    with tempfile.TemporaryDirectory() as model_dir:
        tf.estimator.Estimator(model_fn, model_dir).train(default_input_fn, steps=5)
        tf.estimator.Estimator(model_fn, model_dir).evaluate(default_input_fn)
        list(tf.estimator.Estimator(model_fn, model_dir).predict(default_input_fn))
def check():
    report = ckptlab.check(model_fn)
    assert report.verdict == "pass", str(report)
samples = {"baseline": [], "check": []}
baseline(); check()
for _ in range(int(sys.argv[1])):
    for name, fn in (("baseline", baseline), ("check", check)):
        start = time.perf_counter(); fn(); samples[name].append(time.perf_counter() - start)
print(json.dumps(samples))
'''


def _in_notebook(repeat: int) -> list[Result]:
    out = subprocess.run([sys.executable, "-c", IN_KERNEL, str(repeat), TWO_LAYERS],
                         capture_output=True, text=True, check=True, timeout=1800,
                         env={**__import__("os").environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    samples = json.loads(out.stdout.strip().splitlines()[-1])
    base, check = Timing.of(samples["baseline"]), Timing.of(samples["check"])
    ratio = check.median / base.median
    return [Result("ckptlab.check(model_fn) in a notebook", "time", "s", check,
                   "hand-written train+evaluate+predict", base, "<= 2x baseline", ratio <= 2,
                   f"{ratio:.2f}x")]


def _cold_cli(repeat: int, folder: Path) -> list[Result]:
    submission = folder / "two_layers.py"
    submission.write_text(TWO_LAYERS)
    checks, imports = [], []
    for _ in range(repeat):  # interleaved: both see the same machine load
        imports.append(run_measured([sys.executable, "-c", "import tensorflow"]))
        checks.append(run_measured([sys.executable, "-m", "ckptlab", "check", str(submission)]))
    assert all(run.returncode == 0 for run in checks), checks[0].stdout + checks[0].stderr
    value = Timing.of([run.seconds for run in checks])
    base = Timing.of([run.seconds for run in imports])
    ratio = value.median / base.median
    return [Result("ckptlab check FILE (cold process)", "time", "s", value,
                   'python -c "import tensorflow"', base, "<= 2x baseline", ratio <= 2,
                   f"{ratio:.2f}x", extra={"peak_mb": max(r.peak_mb for r in checks)})]


GRADE_TARGET = 40.0  # submissions per minute on 2 cores, sandboxed


def _grade(count: int, folder: Path) -> list[Result]:
    batch = folder / "batch"
    batch.mkdir()
    sources = sorted((SUBMISSIONS / "estimator-serving").glob("*.py"))
    for number in range(count):
        shutil.copy(sources[number % len(sources)], batch / f"s{number:02d}.py")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ckptlab", "grade", str(batch), "--exercise",
                    "estimator-serving", "--out", str(folder / "out"), "--workers", "2",
                    "--engine", "threads", "--require-sandbox"],
                   check=True, capture_output=True)
    seconds = time.perf_counter() - start
    rate = count / seconds * 60
    return [Result(f"ckptlab grade {count} submissions, 2 workers, sandboxed", "throughput",
                   "submissions/min", Timing.of([rate]), target=f">= {GRADE_TARGET:g}/min",
                   met=rate >= GRADE_TARGET,
                   notes=f"{seconds:.1f} s wall, cold start included")]


def run(quick: bool = False) -> list[Result]:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        return (_in_notebook(2 if quick else 5) + _cold_cli(1 if quick else 3, folder)
                + _grade(4 if quick else 20, folder))
