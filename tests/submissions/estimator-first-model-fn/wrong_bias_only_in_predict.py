"""Known-wrong: the bias is created only when predicting, so no checkpoint holds it."""

import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    w = tf.get_variable("w", [4, 1])
    y = tf.matmul(features["x"], w)
    if mode == tf.estimator.ModeKeys.PREDICT:
        b = tf.get_variable("b", [1], initializer=tf.zeros_initializer())
        return tf.estimator.EstimatorSpec(mode, predictions={"y": y + b})
    loss = tf.losses.mean_squared_error(labels, y)
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
