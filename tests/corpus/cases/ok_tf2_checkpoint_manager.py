"""Correct: CheckpointManager to save and to find the latest checkpoint, model and optimizer."""

import keras
import tensorflow as tf


def build_model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(1)])


def _manager(model, optimizer, directory):
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer)
    return checkpoint, tf.train.CheckpointManager(checkpoint, directory, max_to_keep=2)


def save(model, optimizer, directory):
    return _manager(model, optimizer, directory)[1].save()


def restore(directory):
    model, optimizer = build_model(), keras.optimizers.Adam(0.01)
    checkpoint, manager = _manager(model, optimizer, directory)
    checkpoint.restore(manager.latest_checkpoint).assert_existing_objects_matched()
    return model, optimizer
