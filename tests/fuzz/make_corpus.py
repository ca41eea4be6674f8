"""Regenerate the fuzz seed corpus with real TensorFlow: `python -m tests.fuzz.make_corpus`.

Small real checkpoints (a few KB each), one folder per kind, written by TensorFlow itself:
name-based (tf.compat.v1 Saver, several dtypes), object-based (tf.train.Checkpoint of a
Keras 3 model and its optimizer), sharded (two data files), partitioned (a sliced
variable), deep (1,500-level keys) and a Keras 3 `.weights.h5` file.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

CORPUS = Path(__file__).resolve().parent / "corpus"
DEEP_LEVELS = 1500


def _saver_dir(directory: Path, build) -> None:
    """Run `build()` in a fresh graph, then save its variables with a Saver (no .meta)."""
    import tensorflow as tf

    graph = tf.Graph()
    with graph.as_default():
        build()
        saver = tf.compat.v1.train.Saver(save_relative_paths=True)
        with tf.compat.v1.Session(graph=graph) as session:
            session.run(tf.compat.v1.global_variables_initializer())
            saver.save(session, str(directory / "model.ckpt"), global_step=1,
                       write_meta_graph=False)


def name_based(directory: Path) -> None:
    import tensorflow as tf

    def build() -> None:
        v1 = tf.compat.v1
        with v1.variable_scope("model"):
            v1.get_variable("dense/kernel", [3, 2])
            v1.get_variable("dense/bias", [2])
            v1.get_variable("half", [2], dtype=tf.float16)
            v1.get_variable("brain", [2], dtype=tf.bfloat16)
            v1.get_variable("flags", [3], dtype=tf.bool, initializer=v1.zeros_initializer())
            v1.get_variable("counts", [2, 2], dtype=tf.int32, initializer=v1.ones_initializer())
            v1.Variable([b"alpha", b"be"], name="words")
        v1.train.get_or_create_global_step()

    _saver_dir(directory, build)


def partitioned(directory: Path) -> None:
    import tensorflow as tf

    def build() -> None:
        v1 = tf.compat.v1
        v1.get_variable("table", [6, 2], partitioner=v1.fixed_size_partitioner(3))

    _saver_dir(directory, build)


def deep(directory: Path) -> None:
    import tensorflow as tf

    def build() -> None:
        scope = "/".join(f"s{i % 10}" for i in range(DEEP_LEVELS - 1))
        tf.compat.v1.get_variable(f"{scope}/kernel", [2])
        tf.compat.v1.get_variable(f"{scope}/bias", [1])

    _saver_dir(directory, build)


def _tiny_keras_model():
    import keras
    import numpy as np

    class Tiny(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense1 = keras.layers.Dense(3)
            self.dense2 = keras.layers.Dense(1)

        def call(self, inputs):
            return self.dense2(self.dense1(inputs))

    model = Tiny()
    model.compile(keras.optimizers.Adam(0.01), "mse")
    model.fit(np.ones((2, 2), np.float32), np.ones((2, 1), np.float32), verbose=0)
    return model


def object_based(directory: Path) -> None:
    import tensorflow as tf

    model = _tiny_keras_model()
    checkpoint = tf.train.Checkpoint(model=model, optimizer=model.optimizer)
    tf.train.CheckpointManager(checkpoint, str(directory), max_to_keep=1).save()


def sharded(directory: Path) -> None:
    import tensorflow as tf

    variables = {f"w{i}": tf.Variable(tf.fill([8], float(i))) for i in range(3)}
    checkpoint = tf.train.Checkpoint(**variables)
    policy = tf.train.experimental.MaxShardSizePolicy(max_shard_size=64)
    options = tf.train.CheckpointOptions(experimental_sharding_callback=policy)
    checkpoint.write(str(directory / "ckpt-1"), options=options)


def keras_h5(directory: Path) -> None:
    import keras

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2), keras.layers.Dense(1)])
    model.save_weights(str(directory / "tiny.weights.h5"))


MAKERS = {"name_based": name_based, "object_based": object_based, "sharded": sharded,
          "partitioned": partitioned, "deep": deep, "keras_h5": keras_h5}


def main() -> int:
    for name, make in MAKERS.items():
        directory = CORPUS / name
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        make(directory)
        sizes = {p.name: p.stat().st_size for p in sorted(directory.iterdir())}
        print(f"{name}: {sizes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
