"""Input statistics accumulated during training in local variables (made by hand with
collections=[LOCAL_VARIABLES]) and used to scale the features: checkpoints never hold
local variables, so a restored model scales with the initial statistics."""

import tensorflow.compat.v1 as tf


def _running_scale(x, training):
    total = tf.Variable(tf.zeros([4]), trainable=False, name="abs_total",
                        collections=[tf.GraphKeys.LOCAL_VARIABLES])
    count = tf.Variable(0.0, trainable=False, name="abs_count",
                        collections=[tf.GraphKeys.LOCAL_VARIABLES])
    update = tf.group(tf.assign_add(total, tf.reduce_sum(tf.abs(x), axis=0)),
                      tf.assign_add(count, tf.cast(tf.shape(x)[0], tf.float32)))
    scale = total / tf.maximum(count, 1.0) + 1.0
    return x / scale, update


def model_fn(features, labels, mode):
    x, update = _running_scale(features["x"], mode == tf.estimator.ModeKeys.TRAIN)
    hidden = tf.layers.dense(x, 8, tf.nn.relu, name="hidden")
    output = tf.layers.dense(hidden, 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    minimize = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=tf.group(minimize, update))
