"""The hidden size is changed in params and evaluated against the old model_dir."""

import tensorflow.compat.v1 as tf

PARAMS = {"hidden": 8}
RESTORE_PARAMS = {"hidden": 16}


def model_fn(features, labels, mode, params):
    hidden = tf.layers.dense(features["x"], params["hidden"], tf.nn.relu, name="hidden")
    output = tf.layers.dense(hidden, 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
