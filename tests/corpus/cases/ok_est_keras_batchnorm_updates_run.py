"""Correct: a Keras BatchNormalization layer whose own updates are grouped into the train_op."""

import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    training = mode == tf.estimator.ModeKeys.TRAIN
    hidden = tf.keras.layers.Dense(8, name="hidden")(features["x"])
    norm = tf.keras.layers.BatchNormalization(name="norm")
    hidden = norm(hidden, training=training)
    output = tf.keras.layers.Dense(1, name="output")(tf.nn.relu(hidden))
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    minimize = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    train_op = tf.group(minimize, *norm.updates)
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
