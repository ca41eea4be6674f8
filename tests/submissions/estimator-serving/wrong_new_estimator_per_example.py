"""Known-wrong: predict_many makes a new Estimator on the same model_dir for every example
(and quiets TensorFlow's log, as many serving scripts do): each one builds a graph and
restores the checkpoint again. The checker counts every Estimator's graphs and restores,
not only those of the Estimator it passed in."""

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
    tf.logging.set_verbosity(tf.logging.ERROR)
    results = []
    for example in examples:
        x = np.asarray([example["x"]], np.float32)

        def input_fn(x=x):
            return tf.data.Dataset.from_tensor_slices({"x": x}).batch(1)

        server = tf.estimator.Estimator(model_fn, model_dir=estimator.model_dir)
        results.append(next(server.predict(input_fn))["y"])
    return results
