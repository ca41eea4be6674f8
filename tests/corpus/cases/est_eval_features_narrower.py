"""One-hot encoding done per split: the evaluation data has one column less than training."""

import numpy as np
import tensorflow.compat.v1 as tf

rng = np.random.default_rng(2)


def _split(categories):
    codes = rng.integers(0, categories, size=64)
    x = np.eye(categories, dtype=np.float32)[codes]
    y = (codes % 2).astype(np.float32)[:, None]
    return x, y


def input_fn():
    x, y = _split(4)
    return tf.data.Dataset.from_tensor_slices(({"x": x}, y)).repeat(2).batch(16)


def eval_input_fn():
    x, y = _split(3)  # only 3 categories occur in the evaluation data
    return tf.data.Dataset.from_tensor_slices(({"x": x}, y)).batch(16)


def model_fn(features, labels, mode):
    hidden = tf.layers.dense(features["x"], 8, tf.nn.relu, name="hidden")
    output = tf.layers.dense(hidden, 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
