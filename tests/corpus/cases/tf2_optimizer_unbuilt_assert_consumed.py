"""Model built before restoring, but assert_consumed() with a fresh optimizer that has no slots."""

import keras
import tensorflow as tf

INPUT_SHAPE = (20,)


def build_model():
    return keras.Sequential([keras.Input(INPUT_SHAPE), keras.layers.Dense(16, activation="relu"),
                             keras.layers.Dense(1)])


def save(model, optimizer, directory):
    return tf.train.Checkpoint(model=model, optimizer=optimizer).save(f"{directory}/ckpt")


def restore(directory):
    model, optimizer = build_model(), keras.optimizers.Adam(0.01)
    model(tf.zeros([1, *INPUT_SHAPE]))
    status = tf.train.Checkpoint(model=model, optimizer=optimizer).restore(
        tf.train.latest_checkpoint(directory))
    status.assert_consumed()
    return model, optimizer
