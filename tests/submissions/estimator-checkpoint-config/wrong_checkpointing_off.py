"""Known-wrong: both save settings are None, so training writes no checkpoint at all."""

import tensorflow.compat.v1 as tf

CONFIG = {"save_checkpoints_steps": None, "save_checkpoints_secs": None,
          "keep_checkpoint_max": 3}


def model_fn(features, labels, mode):
    output = tf.layers.dense(features["x"], 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
