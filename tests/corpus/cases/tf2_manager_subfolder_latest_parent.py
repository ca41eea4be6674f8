"""CheckpointManager writes into a subfolder; restore looks for the latest in the parent folder."""

import keras
import tensorflow as tf


def build_model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(1)])


def save(model, optimizer, directory):
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer)
    return tf.train.CheckpointManager(checkpoint, f"{directory}/tf_ckpts", max_to_keep=3).save()


def restore(directory):
    model, optimizer = build_model(), keras.optimizers.Adam(0.01)
    tf.train.Checkpoint(model=model, optimizer=optimizer).restore(
        tf.train.latest_checkpoint(directory))
    return model, optimizer
