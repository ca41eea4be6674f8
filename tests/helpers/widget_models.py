"""Small model_fns for the widget tests (tests/tf/test_widgets_*).

Import after TF_USE_LEGACY_KERAS=1 is set (tf.compat.v1.layers needs tf_keras).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from ckptlab.estimator import EstimatorSpec, ModeKeys

v1 = tf.compat.v1


def head(labels, mode, out):
    """The EstimatorSpec of a regression output: predictions, or MSE loss and SGD."""
    if mode == ModeKeys.PREDICT:
        return EstimatorSpec(mode, predictions=out)
    loss = tf.reduce_mean((out - labels) ** 2)
    step = v1.train.get_global_step()
    return EstimatorSpec(mode, loss=loss,
                         train_op=v1.train.GradientDescentOptimizer(0.1).minimize(loss, step))


def swapping_model_fn(features, labels, mode):
    """An extra auto-named layer only in TRAIN: the other layer is 'dense_1' in TRAIN but
    'dense' elsewhere, with the same shape (a restore silently swaps their weights)."""
    x = features["x"]
    if mode == ModeKeys.TRAIN:
        x = v1.layers.dense(x, 4)
    x = v1.layers.dense(x, 4)
    return head(labels, mode, tf.reduce_sum(x, axis=1, keepdims=True))


def train_input():
    """8 examples of 4 features, labels the first feature."""
    x = np.ones((8, 4), np.float32)
    return tf.data.Dataset.from_tensor_slices(({"x": x}, x[:, :1])).batch(4)
