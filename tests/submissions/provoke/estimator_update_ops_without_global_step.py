"""Known-wrong: UPDATE_OPS run with the train_op, but minimize() gets no global_step, so the
only checkpoint is the one written before the first step (its batch-norm statistics are
still initial, and that is not the learner's UPDATE_OPS mistake)."""

import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    training = mode == tf.estimator.ModeKeys.TRAIN
    hidden = tf.layers.dense(features["x"], 8, name="hidden")
    hidden = tf.layers.batch_normalization(hidden, training=training, name="norm")
    output = tf.layers.dense(tf.nn.relu(hidden), 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train_op = tf.train.AdamOptimizer(0.05).minimize(loss)
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
