"""Known-wrong: builds the layers in TRAIN and asks to reuse them in the other modes."""

import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    reuse = mode != tf.estimator.ModeKeys.TRAIN
    with tf.variable_scope("model", reuse=reuse):
        output = tf.layers.dense(features["x"], 1, name="linear")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
