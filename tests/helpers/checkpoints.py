"""Real checkpoints made with real TensorFlow, for the checkpoint tests (tests/tf, browser).

Each maker writes into `directory` and returns the path a learner would pass to ckptlab.
"""

from __future__ import annotations

import hashlib
import inspect
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def make_tf1_model_dir(directory: Path, steps: int = 3) -> Path:
    """An Estimator-style model_dir: tf.compat.v1 Saver, Adam, global_step, one save per step."""
    import numpy as np
    import tensorflow as tf

    graph = tf.Graph()
    with graph.as_default():
        features = tf.compat.v1.placeholder(tf.float32, [None, 3])
        with tf.compat.v1.variable_scope("model"):
            kernel = tf.compat.v1.get_variable("dense/kernel", [3, 4])
            bias = tf.compat.v1.get_variable("dense/bias", [4])
            out = tf.compat.v1.get_variable("dense_1/kernel", [4, 1])
        loss = tf.reduce_mean(tf.square(tf.matmul(tf.matmul(features, kernel) + bias, out) - 1))
        step = tf.compat.v1.train.get_or_create_global_step()
        train = tf.compat.v1.train.AdamOptimizer(0.1).minimize(loss, global_step=step)
        saver = tf.compat.v1.train.Saver(max_to_keep=10)
        with tf.compat.v1.Session(graph=graph) as session:
            session.run(tf.compat.v1.global_variables_initializer())
            for _ in range(steps):
                session.run(train, {features: np.ones((2, 3), np.float32)})
                saver.save(session, str(directory / "model.ckpt"), global_step=step)
    return directory


def train_model_fn(model_fn, directory: Path, steps: int = 2, params=None) -> Path:
    """Train `model_fn` in TRAIN mode like an Estimator would (fresh graph, global_step,
    features {"x": [None, 4]}, labels [None, 1]) and save with a Saver after each step."""
    import numpy as np
    import tensorflow as tf

    graph = tf.Graph()
    with graph.as_default():
        step = tf.compat.v1.train.get_or_create_global_step()
        features = {"x": tf.compat.v1.placeholder(tf.float32, [None, 4])}
        labels = tf.compat.v1.placeholder(tf.float32, [None, 1])
        arguments = {"features": features, "labels": labels, "mode": "train",
                     "params": params or {}}
        accepted = inspect.signature(model_fn).parameters
        spec = model_fn(**{k: v for k, v in arguments.items() if k in accepted})
        saver = tf.compat.v1.train.Saver()
        feed = {features["x"]: np.ones((2, 4), np.float32), labels: np.ones((2, 1), np.float32)}
        with tf.compat.v1.Session(graph=graph) as session:
            session.run(tf.compat.v1.global_variables_initializer())
            for _ in range(steps):
                session.run(spec.train_op, feed)
                saver.save(session, str(directory / "model.ckpt"), global_step=step)
    return directory


def make_object_checkpoint(directory: Path) -> Path:
    """tf.train.Checkpoint(model=<subclassed Keras 3 model>, optimizer=Adam) after one step."""
    import keras
    import numpy as np
    import tensorflow as tf

    model = TwoLayers()
    optimizer = keras.optimizers.Adam(0.01)
    model.compile(optimizer, "mse")
    model.fit(np.ones((4, 3), np.float32), np.ones((4, 2), np.float32), verbose=0)
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(model=model, optimizer=optimizer),
                                         str(directory), max_to_keep=3)
    manager.save()
    return directory


def make_keras_weights(directory: Path) -> Path:
    import keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(2)])
    path = directory / "small.weights.h5"
    model.save_weights(str(path))
    return path


def _two_layers_class():
    import keras

    class TwoLayersModel(keras.Model):
        def __init__(self, hidden: int = 4):
            super().__init__()
            self.dense1 = keras.layers.Dense(hidden)
            self.dense2 = keras.layers.Dense(2)

        def call(self, inputs):
            return self.dense2(self.dense1(inputs))

    return TwoLayersModel


def TwoLayers(hidden: int = 4):  # named like the class it builds
    model = _two_layers_class()(hidden)
    import numpy as np

    model(np.ones((1, 3), np.float32))
    return model


def checksums(directory: Path) -> dict[str, str]:
    """sha256 of every file under `directory` (to prove ckptlab changed nothing)."""
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}
