"""Known-wrong, with the learner's own input_fn(mode, params) and feature name "age":
two unnamed layers of equal shape are built in another order outside TRAIN."""

import numpy as np
import tensorflow.compat.v1 as tf

PARAMS = {"batch": 8}


def input_fn(mode, params):
    rng = np.random.default_rng(1)
    age = rng.normal(size=(32, 3)).astype(np.float32)
    target = age.sum(axis=1, keepdims=True)
    data = tf.data.Dataset.from_tensor_slices(({"age": age}, target))
    if mode == tf.estimator.ModeKeys.PREDICT:
        data = tf.data.Dataset.from_tensor_slices({"age": age})
    return data.batch(params["batch"])


def model_fn(features, labels, mode, params):
    x = features["age"]
    if mode == tf.estimator.ModeKeys.TRAIN:
        hidden = tf.layers.dense(x, 4, tf.nn.relu)
        gate = tf.layers.dense(x, 4, tf.nn.sigmoid)
    else:
        gate = tf.layers.dense(x, 4, tf.nn.sigmoid)
        hidden = tf.layers.dense(x, 4, tf.nn.relu)
    output = tf.layers.dense(hidden * gate, 1, name="output")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
