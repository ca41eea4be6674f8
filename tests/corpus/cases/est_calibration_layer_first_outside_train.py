"""An unnamed layer built only outside TRAIN, before the shared unnamed layers: names shift."""

import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    x = features["x"]
    if mode != tf.estimator.ModeKeys.TRAIN:
        x = x + 0.0 * tf.layers.dense(x, 4)  # a "calibration" layer, evaluation only
    hidden = tf.layers.dense(x, 8, tf.nn.relu)
    output = tf.layers.dense(hidden, 1)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
