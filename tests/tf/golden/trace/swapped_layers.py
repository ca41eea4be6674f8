"""A learner's model_fn: the two hidden layers are built in another order outside TRAIN."""
import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    x = features["x"]
    if mode == tf.estimator.ModeKeys.TRAIN:
        wide = tf.layers.dense(x, 4, activation=tf.nn.relu)
        deep = tf.layers.dense(x, 4, activation=tf.nn.tanh)
    else:
        deep = tf.layers.dense(x, 4, activation=tf.nn.tanh)
        wide = tf.layers.dense(x, 4, activation=tf.nn.relu)
    out = tf.layers.dense(wide - deep, 1, name="out")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": out})
    loss = tf.losses.mean_squared_error(labels, out)
    if mode == tf.estimator.ModeKeys.EVAL:
        return tf.estimator.EstimatorSpec(mode, loss=loss)
    train_op = tf.train.AdamOptimizer(0.01).minimize(loss, tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
