"""Provokes SPEC_MISSING_FIELD: TRAIN gets a spec without loss and train_op."""

import tensorflow.compat.v1 as tf


def model_fn(features, labels, mode):
    output = tf.layers.dense(features["x"], 1, name="output")
    return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
