"""Known-wrong: EVAL returns metrics but no loss."""

import tensorflow.compat.v1 as tf

PARAMS = {"learning_rate": 0.05}


def model_fn(features, labels, mode, params):
    output = tf.layers.dense(features["x"], 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    if mode == tf.estimator.ModeKeys.EVAL:
        metrics = {"mae": tf.metrics.mean_absolute_error(labels, output)}
        return tf.estimator.EstimatorSpec(mode, eval_metric_ops=metrics)
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(params["learning_rate"]).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
