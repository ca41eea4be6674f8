"""Only the model is saved; resuming builds a new optimizer that starts from zero."""

import keras
import tensorflow as tf


def build_model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(1)])


def save(model, optimizer, directory):
    return tf.train.Checkpoint(model=model).save(f"{directory}/ckpt")


def restore(directory):
    model, optimizer = build_model(), keras.optimizers.Adam(0.01)
    tf.train.Checkpoint(model=model, optimizer=optimizer).restore(
        tf.train.latest_checkpoint(directory)).expect_partial()
    return model, optimizer
