"""Correct, with an input_fn whose batches all have 8 examples (drop_remainder=True): the
graphs' features have the fixed shape (8, 4), so the checker's 16 probe examples cannot be
fed to the model as saved. The check passes and says in a note that the outputs after
restore were not compared, and why."""

import numpy as np
import tensorflow.compat.v1 as tf


def input_fn():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5], [3.0]], np.float32)).astype(np.float32)
    return tf.data.Dataset.from_tensor_slices(({"x": x}, y)).repeat(2).batch(
        8, drop_remainder=True)


def model_fn(features, labels, mode):
    hidden = tf.layers.dense(features["x"], 8, tf.nn.relu, name="hidden")
    output = tf.layers.dense(hidden, 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
