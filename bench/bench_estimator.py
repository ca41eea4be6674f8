"""The Estimator engine against the real tf.estimator 2.15 and a minimal tf.compat.v1 loop.

Round trip = train(20 steps), evaluate, predict(10 examples) on a two-layer model_fn, in
one warm process. Measured in the same run: the engine (this venv, TF 2.21), the real
tf.estimator (the parity venv, a subprocess that times itself warm) and a hand-written
tf.compat.v1 baseline (one save, two restores in fresh graphs). Also: the cost of the
engine's event recording, and three ways to serve one example at a time.

    python bench/bench_estimator.py --real REPEAT   # (parity venv) prints JSON samples
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import Result, Timing, time_calls

STEPS, EXAMPLES = 20, 10


def _tf():
    import tensorflow.compat.v1 as tf

    return tf


def model_fn(features, labels, mode):
    tf = _tf()
    hidden = tf.layers.dense(features["x"], 16, activation=tf.nn.relu, name="hidden")
    out = tf.layers.dense(hidden, 1, name="out")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": out})
    loss = tf.losses.mean_squared_error(labels, out)
    train_op = tf.train.GradientDescentOptimizer(0.01).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


def _data():
    import numpy as np

    x = np.random.RandomState(0).rand(64, 4).astype("float32")
    return x, x.sum(axis=1, keepdims=True)


def _input(repeat: bool, labels: bool = True, count: int | None = None):
    def input_fn():
        tf = _tf()
        x, y = _data()
        x, y = x[:count], y[:count]
        data = tf.data.Dataset.from_tensor_slices(({"x": x}, y) if labels else {"x": x})
        return (data.repeat() if repeat else data).batch(8)
    return input_fn


def estimator_round_trip(enabled: bool = True) -> None:
    tf = _tf()
    est = tf.estimator.Estimator(model_fn, model_dir=tempfile.mkdtemp(prefix="bench-est-"))
    if hasattr(est, "recorder"):
        est.recorder.enabled = enabled
    est.train(_input(True), steps=STEPS)
    est.evaluate(_input(False))
    list(est.predict(_input(False, labels=False, count=EXAMPLES)))


def minimal_round_trip() -> None:
    """Hand-written tf.compat.v1: train and save, then two fresh graphs that restore."""
    tf = _tf()
    x, y = _data()
    prefix = os.path.join(tempfile.mkdtemp(prefix="bench-min-"), "model.ckpt")

    def build(with_labels: bool):
        feats = tf.placeholder(tf.float32, [None, 4])
        hidden = tf.layers.dense(feats, 16, activation=tf.nn.relu, name="hidden")
        out = tf.layers.dense(hidden, 1, name="out")
        labels = tf.placeholder(tf.float32, [None, 1]) if with_labels else None
        loss = tf.losses.mean_squared_error(labels, out) if with_labels else None
        return feats, labels, out, loss

    with tf.Graph().as_default():
        feats, labels, _, loss = build(True)
        step = tf.train.get_or_create_global_step()
        train_op = tf.train.GradientDescentOptimizer(0.01).minimize(loss, global_step=step)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for i in range(STEPS):
                batch = slice(8 * (i % 8), 8 * (i % 8) + 8)
                sess.run(train_op, {feats: x[batch], labels: y[batch]})
            tf.train.Saver().save(sess, prefix, global_step=step)
    for with_labels in (True, False):
        with tf.Graph().as_default():
            feats, labels, out, loss = build(with_labels)
            tf.train.get_or_create_global_step()
            with tf.Session() as sess:
                tf.train.Saver().restore(sess, f"{prefix}-{STEPS}")
                if with_labels:
                    sess.run(loss, {feats: x, labels: y})
                else:
                    sess.run(out, {feats: x[:EXAMPLES]})


def _real_samples(repeat: int) -> Timing | None:
    python = os.environ.get("CKPTLAB_PARITY_PYTHON", "")
    if not Path(python).is_file():
        return None
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    env.pop("TF_USE_LEGACY_KERAS", None)  # TF 2.15 uses its own Keras 2
    done = subprocess.run([python, __file__, "--real", str(repeat)], capture_output=True,
                          text=True, env=env, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"real tf.estimator benchmark failed:\n{done.stderr[-3000:]}")
    return Timing.of(json.loads(done.stdout.strip().splitlines()[-1]))


def _serving(repeat: int) -> list[Result]:
    import tensorflow as tf2

    tf = _tf()
    est = tf.estimator.Estimator(model_fn, model_dir=tempfile.mkdtemp(prefix="bench-srv-"))
    est.train(_input(True), steps=STEPS)
    x, _ = _data()
    examples = [x[i:i + 1] for i in range(EXAMPLES)]

    def per_call():
        for example in examples:
            list(est.predict(lambda e=example: tf.data.Dataset.from_tensors({"x": e})))

    def one_generator():
        def gen():
            yield from ({"x": e} for e in examples)
        spec = {"x": tf.TensorSpec([1, 4], tf.float32)}
        outputs = est.predict(lambda: tf.data.Dataset.from_generator(gen, output_signature=spec))
        for _ in examples:
            next(outputs)

    def receiver():
        feats = tf.placeholder(tf.float32, [None, 4], name="x")
        return tf.estimator.export.ServingInputReceiver({"x": feats}, {"x": feats})
    export = est.export_saved_model(tempfile.mkdtemp(prefix="bench-exp-"), receiver)
    serve = tf2.saved_model.load(export.decode() if isinstance(export, bytes) else export)
    serve = serve.signatures["serving_default"]

    def saved_model():
        for example in examples:
            serve(x=tf2.constant(example))
    saved_model()
    timings = {name: time_calls(fn, repeat) for name, fn in
               (("new predict() per example", per_call),
                ("one long-lived predict() generator", one_generator),
                ("SavedModel loaded once", saved_model))}
    per_example = {k: Timing.of([s * 1000 / EXAMPLES for s in t.samples])
                   for k, t in timings.items()}
    baseline = per_example["SavedModel loaded once"]
    return [Result(f"engine serving: {name}", "time", "ms/example", timing,
                   "SavedModel loaded once", baseline, notes="10 examples, one at a time")
            for name, timing in per_example.items()]


def run(quick: bool) -> list[Result]:
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from ckptlab.estimator.shim import install_estimator_shim

    install_estimator_shim()
    repeat = 3 if quick else 7
    engine = time_calls(estimator_round_trip, repeat)
    minimal = time_calls(minimal_round_trip, repeat)
    real = _real_samples(repeat)
    results = []
    if real is not None:
        results.append(Result("estimator round trip: engine vs real tf.estimator 2.15", "time",
                              "s", engine, "real tf.estimator 2.15 (warm subprocess)", real,
                              "<= 0.8x real", engine.median <= 0.8 * real.median))
    results.append(Result("estimator round trip: engine vs minimal tf.compat.v1", "time", "s",
                          engine, "hand-written tf.compat.v1 (1 save, 2 restores)", minimal,
                          "<= 2x minimal", engine.median <= 2 * minimal.median,
                          notes="" if real else "real side not measured: no parity venv"))
    off = time_calls(lambda: estimator_round_trip(enabled=False), repeat)
    on = time_calls(estimator_round_trip, repeat)
    results.append(Result("estimator round trip: event recording on vs off", "time", "s", on,
                          "recording off", off, "<= 1.1x", on.median <= 1.1 * off.median))
    return results + _serving(repeat)


def _real_main(repeat: int) -> None:
    import logging

    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    samples = []
    estimator_round_trip()  # warm-up
    for _ in range(repeat):
        start = time.perf_counter()
        estimator_round_trip()
        samples.append(time.perf_counter() - start)
    print(json.dumps(samples))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--real"]:
        _real_main(int(sys.argv[2]))
    else:
        for result in run(quick="--quick" in sys.argv):
            print(json.dumps(result.to_dict()))
