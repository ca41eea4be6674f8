"""Serving data built with numpy's default float64 while the model was trained on float32."""

import numpy as np
import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    hidden = tf.layers.dense(features["x"], 8, tf.nn.relu, name="hidden")
    output = tf.layers.dense(hidden, 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


def predict_many(estimator, examples):
    x = np.stack([np.asarray(example["x"], dtype=float) for example in examples])
    return list(estimator.predict(lambda: tf.data.Dataset.from_tensor_slices({"x": x}).batch(4)))
