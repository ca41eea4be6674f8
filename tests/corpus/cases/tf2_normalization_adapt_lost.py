"""A Normalization layer adapted to the data; the restored copy is rebuilt but not adapted."""

import keras
import numpy as np
import tensorflow as tf

DATA = np.random.default_rng(3).normal(5.0, 3.0, size=(256, 4)).astype(np.float32)


def build_model(adapt=True):
    norm = keras.layers.Normalization()
    if adapt:
        norm.adapt(DATA)
    return keras.Sequential([keras.Input((4,)), norm, keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(1)])


def save(model, optimizer, directory):
    return tf.train.Checkpoint(model=model).save(f"{directory}/ckpt")


def restore(directory):
    model = build_model(adapt=False)  # the statistics should come back from the checkpoint
    tf.train.Checkpoint(model=model).restore(tf.train.latest_checkpoint(directory))
    return model
