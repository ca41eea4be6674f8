"""Known-wrong: batch normalization is put in training mode with `mode != PREDICT`, so
EVAL normalises each batch with its own statistics; the EVAL spec carries the same
predictions as PREDICT, which then disagree with them: evaluate() measures another model
than predict() serves."""

import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    hidden = tf.layers.dense(features["x"], 16, tf.nn.relu, name="hidden")
    hidden = tf.layers.batch_normalization(
        hidden, training=mode != tf.estimator.ModeKeys.PREDICT, name="norm")
    output = tf.layers.dense(hidden, 1, name="output")
    predictions = {"y": output}
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions=predictions)
    loss = tf.losses.mean_squared_error(labels, output)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.AdamOptimizer(0.05).minimize(
            loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, predictions=predictions, loss=loss,
                                      train_op=train_op)
