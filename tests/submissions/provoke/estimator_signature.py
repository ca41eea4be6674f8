"""Provokes MODEL_FN_SIGNATURE: an argument name the Estimator does not know."""

import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode, hyper):
    output = tf.layers.dense(features["x"], 1)
    return tf.estimator.EstimatorSpec(mode, predictions=output)
