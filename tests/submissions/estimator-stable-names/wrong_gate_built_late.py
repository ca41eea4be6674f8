"""Known-wrong: unnamed layers, and outside TRAIN the gate is built before the hidden layer."""

import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    x = features["x"]
    training = mode == tf.estimator.ModeKeys.TRAIN
    with tf.variable_scope("encoder"):
        if not training:
            gate = tf.layers.dense(x, 4, tf.nn.sigmoid)  # encoder/dense outside TRAIN
        hidden = tf.layers.dense(x, 4, tf.nn.relu)
        if training:
            gate = tf.layers.dense(x, 4, tf.nn.sigmoid)  # encoder/dense_1 in TRAIN
    output = tf.layers.dense(hidden * gate, 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
