"""Known-wrong: counts steps in a variable of its own; the Estimator's global_step stays 0."""

import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    w = tf.get_variable("w", [4, 1])
    y = tf.matmul(features["x"], w)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": y})
    loss = tf.losses.mean_squared_error(labels, y)
    (gradient,) = tf.gradients(loss, [w])
    my_step = tf.get_variable("my_step", [], tf.int64, tf.zeros_initializer(), trainable=False)
    train_op = tf.group(tf.assign_sub(w, 0.1 * gradient), tf.assign_add(my_step, 1))
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
