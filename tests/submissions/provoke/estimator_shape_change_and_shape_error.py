"""Known-wrong twice: restores with a wider hidden layer than it trained (silent: the old
shape wins), and its serving code feeds a badly shaped batch (an error mentioning 'shape')."""

import numpy as np
import tensorflow.compat.v1 as tf

PARAMS = {"hidden": 8}
RESTORE_PARAMS = {"hidden": 16}


def model_fn(features, labels, mode, params):
    hidden = tf.layers.dense(features["x"], params["hidden"], tf.nn.relu, name="hidden")
    output = tf.layers.dense(hidden, 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


def predict_many(estimator, examples):
    rows = np.stack([example["x"] for example in examples])
    if rows.shape[1] != 5:
        raise ValueError(f"expected rows of shape (n, 5), got shape {rows.shape}")
    return list(estimator.predict(lambda: tf.data.Dataset.from_tensors({"x": rows})))
