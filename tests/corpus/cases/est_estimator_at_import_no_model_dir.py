"""The serving Estimator is given its model_dir inside params, which the Estimator does not
read: it works in a new temporary folder, where nothing was trained."""

import numpy as np
import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode, params):
    hidden = tf.layers.dense(features["x"], 8, tf.nn.relu, name="hidden")
    output = tf.layers.dense(hidden, 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


def predict_many(estimator, examples):
    server = tf.estimator.Estimator(model_fn, params={"model_dir": estimator.model_dir})
    x = np.stack([example["x"] for example in examples]).astype(np.float32)
    return list(server.predict(lambda: tf.data.Dataset.from_tensor_slices({"x": x}).batch(4)))
