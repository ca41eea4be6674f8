"""Correct: training state saved with the optimizer; inference restores the model alone."""

import keras
import tensorflow as tf


def build_model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(1)])


def save(model, optimizer, directory):
    return tf.train.Checkpoint(model=model, optimizer=optimizer).save(f"{directory}/ckpt")


def restore(directory):
    model = build_model()
    status = tf.train.Checkpoint(model=model).restore(tf.train.latest_checkpoint(directory))
    status.expect_partial()  # the optimizer's values are not needed to predict
    status.assert_existing_objects_matched()
    return model
