"""apply_gradients without global_step after clipping the gradients by hand."""

import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    hidden = tf.layers.dense(features["x"], 8, tf.nn.relu, name="hidden")
    output = tf.layers.dense(hidden, 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    optimizer = tf.train.AdamOptimizer(0.05)
    grads, variables = zip(*optimizer.compute_gradients(loss), strict=False)
    grads, _ = tf.clip_by_global_norm(grads, 5.0)
    train_op = optimizer.apply_gradients(zip(grads, variables, strict=False))
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
