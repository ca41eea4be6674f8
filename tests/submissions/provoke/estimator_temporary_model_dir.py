"""Provokes MODEL_DIR_TEMPORARY: the serving code makes its own Estimator without model_dir."""

import numpy as np
import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    output = tf.layers.dense(features["x"], 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


def predict_many(estimator, examples):
    fresh = tf.estimator.Estimator(model_fn)
    x = np.stack([example["x"] for example in examples]).astype(np.float32)
    return list(fresh.predict(lambda: tf.data.Dataset.from_tensor_slices({"x": x}).batch(4)))
