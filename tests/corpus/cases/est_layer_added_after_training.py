"""A layer added to the model after training, evaluated against the old model_dir."""

import tensorflow.compat.v1 as tf

PARAMS = {"extra_layer": False}
RESTORE_PARAMS = {"extra_layer": True}


def model_fn(features, labels, mode, params):
    hidden = tf.layers.dense(features["x"], 8, tf.nn.relu, name="hidden")
    if params["extra_layer"]:
        hidden = tf.layers.dense(hidden, 8, tf.nn.relu, name="hidden2")
    output = tf.layers.dense(hidden, 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
