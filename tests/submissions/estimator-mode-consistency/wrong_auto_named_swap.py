"""Known-wrong: two unnamed layers of equal shape are created in another order outside TRAIN."""

import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    x = features["x"]
    if mode == tf.estimator.ModeKeys.TRAIN:
        hidden = tf.layers.dense(x, 4, tf.nn.relu)  # named dense in TRAIN
        gate = tf.layers.dense(x, 4, tf.nn.sigmoid)  # named dense_1 in TRAIN
    else:
        gate = tf.layers.dense(x, 4, tf.nn.sigmoid)  # named dense here
        hidden = tf.layers.dense(x, 4, tf.nn.relu)  # named dense_1 here
    output = tf.layers.dense(hidden * gate, 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
