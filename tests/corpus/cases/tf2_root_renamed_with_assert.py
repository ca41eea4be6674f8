"""Saved as Checkpoint(net=...), restored as Checkpoint(model=...) and asserted."""

import keras
import tensorflow as tf


def build_model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(1)])


def save(model, optimizer, directory):
    return tf.train.Checkpoint(net=model, optimizer=optimizer).save(f"{directory}/ckpt")


def restore(directory):
    model, optimizer = build_model(), keras.optimizers.Adam(0.01)
    status = tf.train.Checkpoint(model=model, optimizer=optimizer).restore(
        tf.train.latest_checkpoint(directory))
    status.assert_existing_objects_matched()
    return model, optimizer
