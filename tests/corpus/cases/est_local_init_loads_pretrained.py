"""Pretrained values assigned by a Scaffold local_init_op, which runs in every new session."""

import numpy as np
import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    hidden = tf.layers.dense(features["x"], 8, tf.nn.relu, name="hidden")
    output = tf.layers.dense(hidden, 1, name="output")
    variable = next(v for v in tf.global_variables() if v.op.name == "hidden/kernel")
    load = variable.assign(np.full((4, 8), 0.1, np.float32))
    scaffold = tf.train.Scaffold(
        local_init_op=tf.group(load, tf.local_variables_initializer(), tf.tables_initializer()))
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op, scaffold=scaffold)
