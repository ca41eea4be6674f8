"""Known-wrong: dropout is switched on with `mode != PREDICT`, so it also runs in EVAL;
the EVAL spec carries the same predictions as PREDICT, which then disagree with them:
evaluate() measures another model than predict() serves."""

import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    hidden = tf.layers.dense(features["x"], 16, tf.nn.relu, name="hidden")
    hidden = tf.layers.dropout(hidden, 0.5, training=mode != tf.estimator.ModeKeys.PREDICT)
    output = tf.layers.dense(hidden, 1, name="output")
    predictions = {"y": output}
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions=predictions)
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, predictions=predictions, loss=loss,
                                      train_op=train_op)
