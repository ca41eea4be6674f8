"""Small model_fns and input_fns for the Estimator engine tests (tests/tf/test_estimator_*).

Import after TF_USE_LEGACY_KERAS=1 is set (tf.compat.v1.layers needs tf_keras).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from ckptlab.estimator import EstimatorSpec, ModeKeys, RunConfig

v1 = tf.compat.v1

X = np.random.RandomState(0).rand(64, 3).astype("float32")
Y = (X @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")).astype("float32")


def train_input(batch: int = 8, repeat: bool = True):
    def input_fn():
        data = tf.data.Dataset.from_tensor_slices((X, Y))
        return (data.repeat() if repeat else data).batch(batch)
    return input_fn


def eval_input():
    return tf.data.Dataset.from_tensor_slices((X, Y)).batch(16)


def predict_input(rows: int = 10, batch: int = 5):
    def input_fn():
        return tf.data.Dataset.from_tensor_slices(X[:rows]).batch(batch)
    return input_fn


def regression_model_fn(features, labels, mode, params):
    """Two dense layers in scope 'model'; params: hidden, dict_predictions, global_step."""
    with v1.variable_scope("model"):
        hidden = v1.layers.dense(features, params.get("hidden", 4), activation=tf.nn.relu)
        out = v1.layers.dense(hidden, 1)
    if mode == ModeKeys.PREDICT:
        predictions = {"y": out, "h": hidden} if params.get("dict_predictions") else out
        return EstimatorSpec(mode, predictions=predictions)
    loss = v1.losses.mean_squared_error(labels, out)
    if mode == ModeKeys.EVAL:
        mae = v1.metrics.mean_absolute_error(labels, out)
        return EstimatorSpec(mode, loss=loss, eval_metric_ops={"mae": mae})
    step = v1.train.get_global_step() if params.get("global_step", True) else None
    train_op = v1.train.GradientDescentOptimizer(params.get("lr", 0.1)).minimize(
        loss, global_step=step)
    return EstimatorSpec(mode, loss=loss, train_op=train_op)


def quiet_config(**settings) -> RunConfig:
    """Seeded; no step logging; other settings as given."""
    return RunConfig(tf_random_seed=1, log_step_count_steps=None, **settings)
