"""warm_start_from mapping the new names to old names the pretrained checkpoint does not have."""

import tensorflow.compat.v1 as tf

WARM_START = {"vars_to_warm_start": "hidden/.*",
              "var_name_to_prev_var_name": {"hidden/kernel": "base/hidden/kernel",
                                            "hidden/bias": "base/hidden/bias"}}


def model_fn(features, labels, mode):
    hidden = tf.layers.dense(features["x"], 8, tf.nn.relu, name="hidden")
    output = tf.layers.dense(hidden, 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
