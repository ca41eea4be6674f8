"""Provokes LEARNER_EXCEPTION: save() has a plain bug."""

import tensorflow as tf


def build_model():
    return tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1)])


def save(model, optimizer, directory):
    return tf.train.Checkpoint(model=model).save(directory + 1)


def restore(directory):
    return build_model()
