"""Known-wrong: minimize() without global_step, so training never advances the step."""

import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    output = tf.layers.dense(features["x"], 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(loss)
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
