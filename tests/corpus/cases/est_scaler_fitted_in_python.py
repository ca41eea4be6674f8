"""A scaler fitted on the training data in Python when the training input_fn runs; model_fn
reads its mean and scale as constants. A new process that only evaluates or predicts never
fits it, so the restored model scales with the unfitted defaults."""

import numpy as np
import tensorflow.compat.v1 as tf

_rng = np.random.default_rng(5)
X = _rng.normal(10.0, 4.0, size=(64, 4)).astype(np.float32)
Y = (X @ np.array([[0.5], [-1.0], [0.25], [1.5]], np.float32)).astype(np.float32)


class Scaler:
    mean = np.zeros(4, np.float32)
    scale = np.ones(4, np.float32)

    @classmethod
    def fit(cls, data):
        cls.mean, cls.scale = data.mean(axis=0), data.std(axis=0)


def input_fn(mode):
    if mode == tf.estimator.ModeKeys.TRAIN:
        Scaler.fit(X)
    return tf.data.Dataset.from_tensor_slices(({"x": X}, Y)).batch(16)


def model_fn(features, labels, mode):
    x = (features["x"] - Scaler.mean) / Scaler.scale
    hidden = tf.layers.dense(x, 8, tf.nn.relu, name="hidden")
    output = tf.layers.dense(hidden, 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
