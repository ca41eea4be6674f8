"""Correct: an adapted Normalization layer saved in the .weights.h5 file and loaded back."""

import keras
import numpy as np

DATA = np.random.default_rng(3).normal(5.0, 3.0, size=(256, 4)).astype(np.float32)


def build_model(adapt=True):
    norm = keras.layers.Normalization()
    if adapt:
        norm.adapt(DATA)
    return keras.Sequential([keras.Input((4,)), norm, keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(1)])


def save(model, optimizer, directory):
    model.save_weights(f"{directory}/model.weights.h5")
    return f"{directory}/model.weights.h5"


def restore(directory):
    model = build_model(adapt=False)
    model.load_weights(f"{directory}/model.weights.h5")
    return model
