"""ExponentialMovingAverage created and read in PREDICT, but its apply op is not in the train_op."""

import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    hidden = tf.layers.dense(features["x"], 8, tf.nn.relu, name="hidden")
    output = tf.layers.dense(hidden, 1, name="output")
    ema = tf.train.ExponentialMovingAverage(0.9)
    keep_average = ema.apply(tf.trainable_variables())
    del keep_average  # made, but nothing runs it
    if mode == tf.estimator.ModeKeys.PREDICT:
        kernel = next(v for v in tf.trainable_variables() if v.op.name == "output/kernel")
        averaged = tf.matmul(hidden, ema.average(kernel))
        return tf.estimator.EstimatorSpec(mode, predictions={"y": averaged})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
