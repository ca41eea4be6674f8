"""Correct: Keras layers created inside model_fn, named, so every mode builds the same variables."""

import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    hidden = tf.keras.layers.Dense(8, activation="relu", name="hidden")(features["x"])
    output = tf.keras.layers.Dense(1, name="output")(hidden)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
