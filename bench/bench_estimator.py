"""The Estimator engine against the real tf.estimator 2.15 and a minimal tf.compat.v1 loop.

Round trip = train(20 steps), evaluate, predict(10 examples) on a two-layer model_fn, in
one warm process. Measured in the same run: the engine (this venv, TF 2.21), the real
tf.estimator (the parity venv, a warm subprocess that times one round trip per request)
and a hand-written tf.compat.v1 baseline (one save, two restores in fresh graphs). Also:
the cost of the engine's event recording, and three ways to serve one example at a time.

The machine is shared, so the round trips are interleaved (engine, engine without
recording, baseline, real; rotating order): a load change hits every contender alike.

    python bench/bench_estimator.py --real-serve   # (parity venv) one round trip per line
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


class RealEstimatorProcess:
    """The real tf.estimator 2.15 in a warm subprocess of the parity venv."""

    def __init__(self, python: str):
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
        env.pop("TF_USE_LEGACY_KERAS", None)  # TF 2.15 uses its own Keras 2
        self._errors = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed by close()
        self._process = subprocess.Popen([python, __file__, "--real-serve"], env=env,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=self._errors, text=True)
        self._answer()  # warm: imports and one round trip done

    def _answer(self) -> float:
        for line in self._process.stdout:
            if line.startswith(_ANSWER):
                return float(line[len(_ANSWER):])
        self._errors.seek(0)
        raise RuntimeError(f"real tf.estimator benchmark ended (exit {self._process.wait()}):"
                           f"\n{self._errors.read()[-3000:]}")

    def round_trip(self) -> float:
        """Seconds the subprocess measured for one round trip."""
        self._process.stdin.write("run\n")
        self._process.stdin.flush()
        return self._answer()

    def close(self) -> None:
        self._process.stdin.close()
        self._process.wait(timeout=60)
        self._errors.close()


_ANSWER = "ckptlab-bench-seconds "


def _timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def interleaved(contenders: dict, repeat: int) -> dict[str, Timing]:
    """{name: () -> seconds} measured `repeat` times each, in rotating order."""
    names = list(contenders)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(repeat):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(contenders[name]())
    return {name: Timing.of(values) for name, values in samples.items()}


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
    repeat = 3 if quick else 9
    contenders = {"engine": lambda: _timed(estimator_round_trip),
                  "engine, recording off": lambda: _timed(
                      lambda: estimator_round_trip(enabled=False)),
                  "minimal": lambda: _timed(minimal_round_trip)}
    for warm_up in contenders.values():
        warm_up()
    python = os.environ.get("CKPTLAB_PARITY_PYTHON", "")
    real = RealEstimatorProcess(python) if Path(python).is_file() else None
    if real is not None:
        contenders["real"] = real.round_trip
    try:
        timings = interleaved(contenders, repeat)
    finally:
        if real is not None:
            real.close()
    engine, minimal = timings["engine"], timings["minimal"]
    results = []
    if real is not None:
        results.append(Result("estimator round trip: engine vs real tf.estimator 2.15", "time",
                              "s", engine, "real tf.estimator 2.15 (warm subprocess)",
                              timings["real"], "<= 0.8x real",
                              engine.median <= 0.8 * timings["real"].median))
    results.append(Result("estimator round trip: engine vs minimal tf.compat.v1", "time", "s",
                          engine, "hand-written tf.compat.v1 (1 save, 2 restores)", minimal,
                          "<= 2x minimal", engine.median <= 2 * minimal.median,
                          notes="" if real else "real side not measured: no parity venv"))
    off = timings["engine, recording off"]
    results.append(Result("estimator round trip: event recording on vs off", "time", "s",
                          engine, "recording off", off, "<= 1.1x",
                          engine.median <= 1.1 * off.median))
    return results + _serving(repeat)


def _real_serve() -> None:
    """(parity venv) Time one round trip per line read from stdin; the first one warms."""
    import logging

    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    estimator_round_trip()
    print(f"{_ANSWER}0", flush=True)
    for _ in sys.stdin:
        print(f"{_ANSWER}{_timed(estimator_round_trip)}", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--real-serve"]:
        _real_serve()
    else:
        for result in run(quick="--quick" in sys.argv):
            print(json.dumps(result.to_dict()))
