"""Keras 3 save_weights to a bare prefix, as TF-format weights were saved in Keras 2."""

import keras


def build_model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(1)])


def save(model, optimizer, directory):
    model.save_weights(f"{directory}/weights")
    return f"{directory}/weights"


def restore(directory):
    model = build_model()
    model.load_weights(f"{directory}/weights")
    return model
