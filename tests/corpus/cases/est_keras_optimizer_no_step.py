"""A Keras optimizer's minimize() in model_fn: it has no global_step argument and never counts."""

import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    hidden = tf.layers.dense(features["x"], 8, tf.nn.relu, name="hidden")
    output = tf.layers.dense(hidden, 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    optimizer = tf.keras.optimizers.legacy.Adam(0.05)
    variables = tf.trainable_variables()
    train_op = optimizer.apply_gradients(zip(tf.gradients(loss, variables), variables, strict=True))
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
