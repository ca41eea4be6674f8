"""Provokes UPDATE_NEVER_RUNS on scalar state: a running mean of the training loss, kept in a
non-trainable scalar variable for PREDICT to report, is updated by an op nothing runs."""

import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    hidden = tf.layers.dense(features["x"], 8, tf.nn.relu, name="hidden")
    output = tf.layers.dense(hidden, 1, name="output")
    running_loss = tf.get_variable("running_loss", [], trainable=False,
                                   initializer=tf.zeros_initializer())
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={
            "y": output, "typical_loss": running_loss + tf.zeros_like(output)})
    loss = tf.losses.mean_squared_error(labels, output)
    update = running_loss.assign(0.9 * running_loss + 0.1 * loss)
    del update  # made, but not in the train_op: it never runs
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
