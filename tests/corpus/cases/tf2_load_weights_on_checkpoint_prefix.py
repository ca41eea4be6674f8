"""Saved with tf.train.Checkpoint, read back with Keras 3 load_weights."""

import keras
import tensorflow as tf


def build_model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(1)])


def save(model, optimizer, directory):
    return tf.train.Checkpoint(model=model).save(f"{directory}/ckpt")


def restore(directory):
    model = build_model()
    model.load_weights(tf.train.latest_checkpoint(directory))
    return model
