"""Known-wrong: the hand-written update forgets global_step, so every checkpoint is step 0."""

import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    w = tf.get_variable("w", [4, 1])
    y = tf.matmul(features["x"], w)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": y})
    loss = tf.losses.mean_squared_error(labels, y)
    (gradient,) = tf.gradients(loss, [w])
    return tf.estimator.EstimatorSpec(mode, loss=loss,
                                      train_op=tf.assign_sub(w, 0.1 * gradient))
