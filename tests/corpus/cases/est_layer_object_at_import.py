"""A tf.layers.Dense object made at import and reused in each mode's graph."""

import tensorflow.compat.v1 as tf

HIDDEN = tf.layers.Dense(8, activation=tf.nn.relu, name="hidden")


def model_fn(features, labels, mode):
    output = tf.layers.dense(HIDDEN(features["x"]), 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
