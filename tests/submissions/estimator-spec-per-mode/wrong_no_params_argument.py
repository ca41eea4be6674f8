"""Known-wrong: params are given to the Estimator, but model_fn has no params argument."""

import tensorflow.compat.v1 as tf

PARAMS = {"learning_rate": 0.05}


def model_fn(features, labels, mode):
    output = tf.layers.dense(features["x"], 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(PARAMS["learning_rate"]).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
