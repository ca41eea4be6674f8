"""Keras 3 load_weights on a subclassed model that was never called."""

import keras


class Regressor(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(8, activation="relu")
        self.out = keras.layers.Dense(1)

    def call(self, x):
        return self.out(self.hidden(x))


def build_model():
    return Regressor()


def save(model, optimizer, directory):
    model.save_weights(f"{directory}/model.weights.h5")
    return f"{directory}/model.weights.h5"


def restore(directory):
    model = build_model()
    model.load_weights(f"{directory}/model.weights.h5")
    return model
