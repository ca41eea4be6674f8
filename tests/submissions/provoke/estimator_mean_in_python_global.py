"""Known-wrong: the training input_fn stores the features' mean in a Python global that
model_fn centres with; a new process that only evaluates or predicts never runs it, so
the restored model centres with zeros: a value held outside variables, never saved."""

import numpy as np
import tensorflow.compat.v1 as tf

_rng = np.random.default_rng(1)
X = _rng.normal(3.0, 2.0, size=(64, 4)).astype(np.float32)
Y = (X @ np.array([[1.0], [-2.0], [0.5], [3.0]], np.float32)).astype(np.float32)
NORMALISE = {"mean": np.zeros(4, np.float32)}  # set from the data when training


def input_fn(mode):
    if mode == tf.estimator.ModeKeys.TRAIN:
        NORMALISE["mean"] = X.mean(axis=0)
    return tf.data.Dataset.from_tensor_slices(({"x": X}, Y)).batch(16)


def model_fn(features, labels, mode):
    x = features["x"] - NORMALISE["mean"]
    hidden = tf.layers.dense(x, 8, tf.nn.relu, name="hidden")
    output = tf.layers.dense(hidden, 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
