"""Saved with tf.train.Checkpoint(model) (the model is the root), restored with model=model."""

import keras
import tensorflow as tf


def build_model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(1)])


def save(model, optimizer, directory):
    return tf.train.Checkpoint(model).save(f"{directory}/ckpt")


def restore(directory):
    model = build_model()
    tf.train.Checkpoint(model=model).restore(tf.train.latest_checkpoint(directory)).expect_partial()
    return model
