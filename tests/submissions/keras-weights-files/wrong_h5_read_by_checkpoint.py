"""Known-wrong: writes a .weights.h5 file and reads it with tf.train.Checkpoint."""

import tensorflow as tf


def build_model():
    return tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(8, "relu"),
                                tf.keras.layers.Dense(1)])


def save(model, optimizer, directory):
    path = f"{directory}/regressor.weights.h5"
    model.save_weights(path)
    return path


def restore(directory):
    model = build_model()
    tf.train.Checkpoint(model=model).restore(f"{directory}/regressor.weights.h5")
    return model
