"""Known-wrong: restore() builds a wider hidden layer than the one whose weights were saved."""

import tensorflow as tf


def build_model(units=8):
    return tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(units, "relu"),
                                tf.keras.layers.Dense(1)])


def save(model, optimizer, directory):
    path = f"{directory}/regressor.weights.h5"
    model.save_weights(path)
    return path


def restore(directory):
    model = build_model(units=16)
    model.load_weights(f"{directory}/regressor.weights.h5")
    return model
