"""Known-wrong: a calibration variable exists only in PREDICT, so it is never saved."""

import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    output = tf.layers.dense(features["x"], 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        scale = tf.get_variable("calibration", [1], initializer=tf.ones_initializer())
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output * scale})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
