"""Training keeps an exponential moving average of the weights; EVAL and PREDICT restore
the averages into the weights with a Saver built from ema.variables_to_restore()."""

import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    hidden = tf.layers.dense(features["x"], 8, tf.nn.relu, name="hidden")
    output = tf.layers.dense(hidden, 1, name="output")
    ema = tf.train.ExponentialMovingAverage(decay=0.5)
    if mode == tf.estimator.ModeKeys.TRAIN:
        loss = tf.losses.mean_squared_error(labels, output)
        minimize = tf.train.AdamOptimizer(0.05).minimize(
            loss, global_step=tf.train.get_global_step())
        with tf.control_dependencies([minimize]):
            train_op = ema.apply(tf.trainable_variables())
        return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
    # evaluate and serve with the averaged weights: the checkpoint's shadow values
    scaffold = tf.train.Scaffold(saver=tf.train.Saver(ema.variables_to_restore()))
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output}, scaffold=scaffold)
    loss = tf.losses.mean_squared_error(labels, output)
    return tf.estimator.EstimatorSpec(mode, loss=loss, scaffold=scaffold)
