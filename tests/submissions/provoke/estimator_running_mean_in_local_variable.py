"""Known-wrong: the features are centred with a running mean kept by tf.metrics.mean, whose
total and count are local variables: training updates them, but checkpoints never hold
local variables, so the restored model centres with another mean (silently)."""

import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    x = features["x"]
    mean, update_mean = tf.metrics.mean_tensor(tf.reduce_mean(x, axis=0), name="feature_mean")
    hidden = tf.layers.dense(x - mean, 8, tf.nn.relu, name="hidden")
    output = tf.layers.dense(hidden, 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    minimize = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=tf.group(minimize, update_mean))
