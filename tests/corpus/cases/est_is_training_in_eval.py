"""is_training is true in TRAIN and in EVAL, so batch normalization also uses batch
statistics while evaluating; the EVAL spec returns the same predictions PREDICT serves,
computed another way."""

import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    is_training = mode in (tf.estimator.ModeKeys.TRAIN, tf.estimator.ModeKeys.EVAL)
    hidden = tf.layers.dense(features["x"], 32, tf.nn.relu, name="hidden")
    hidden = tf.layers.batch_normalization(hidden, training=is_training, name="norm")
    output = tf.layers.dense(hidden, 1, name="output")
    predictions = {"y": output}
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions=predictions)
    loss = tf.losses.mean_squared_error(labels, output)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.AdamOptimizer(0.05).minimize(
            loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, predictions=predictions, loss=loss,
                                      train_op=train_op,
                                      eval_metric_ops={"mae": tf.metrics.mean_absolute_error(
                                          labels, output)})
