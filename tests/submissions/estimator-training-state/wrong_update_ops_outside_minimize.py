"""Known-wrong: the update ops guard only the optimizer's creation, not minimize()."""

import tensorflow.compat.v1 as tf

PARAMS = {"hidden": 8}


def model_fn(features, labels, mode, params):
    training = mode == tf.estimator.ModeKeys.TRAIN
    hidden = tf.layers.dense(features["x"], params["hidden"], name="hidden")
    hidden = tf.layers.batch_normalization(hidden, training=training, name="norm")
    output = tf.layers.dense(tf.nn.relu(hidden), 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        optimizer = tf.train.AdamOptimizer(0.05)
    train_op = optimizer.minimize(loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
