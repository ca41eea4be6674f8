"""Two distinct mistakes in one model_fn (the CheckReport browser notebook's): a layer built in
TRAIN only shifts the auto-numbered name of the next layer (NAME_DRIFT), and a variable made
in EVAL only is in no checkpoint (MODE_ONLY_VARIABLE)."""

import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    x = features["x"]
    if mode == tf.estimator.ModeKeys.TRAIN:
        x = tf.layers.dense(x, 4)  # only in TRAIN: the next layer is dense_1 there
    out = tf.layers.dense(x, 4)
    if mode == tf.estimator.ModeKeys.EVAL:
        out = out * tf.get_variable("eval_scale", [1])  # never saved by TRAIN
    out = tf.reduce_sum(out, axis=1, keepdims=True)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions=out)
    loss = tf.reduce_mean((out - labels) ** 2)
    step = tf.train.get_global_step()
    return tf.estimator.EstimatorSpec(
        mode, loss=loss, train_op=tf.train.GradientDescentOptimizer(0.1).minimize(loss, step))
