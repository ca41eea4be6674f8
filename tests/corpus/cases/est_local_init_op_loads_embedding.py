"""A Scaffold's local_init_op loads a pretrained embedding. The local init op runs in every
new session after the restore: resumed training, evaluate() and predict() all compute with
the pretrained embedding instead of the trained one."""

import numpy as np
import tensorflow.compat.v1 as tf

PRETRAINED = np.linspace(-1.0, 1.0, 30, dtype=np.float32).reshape(10, 3)


def input_fn():
    rng = np.random.default_rng(2)
    ids = rng.integers(0, 10, size=(64, 1))
    y = (ids % 3).astype(np.float32)
    return tf.data.Dataset.from_tensor_slices(({"ids": ids}, y)).batch(16)


def model_fn(features, labels, mode):
    embedding = tf.get_variable("embedding", [10, 3])
    vectors = tf.reshape(tf.nn.embedding_lookup(embedding, features["ids"]), [-1, 3])
    output = tf.layers.dense(vectors, 1, name="output")
    load = tf.assign(embedding, PRETRAINED)
    scaffold = tf.train.Scaffold(local_init_op=tf.group(load, tf.local_variables_initializer()))
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output}, scaffold=scaffold)
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op, scaffold=scaffold)
