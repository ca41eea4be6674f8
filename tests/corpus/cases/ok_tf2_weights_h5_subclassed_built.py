"""Correct: Keras 3 .weights.h5 round trip of a subclassed model built before loading."""

import keras
import tensorflow as tf

INPUT_SHAPE = (20,)


class Scorer(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(16, activation="relu")
        self.score = keras.layers.Dense(1)

    def call(self, x):
        return self.score(self.hidden(x))


def build_model():
    return Scorer()


def save(model, optimizer, directory):
    model.save_weights(f"{directory}/scorer.weights.h5")
    return f"{directory}/scorer.weights.h5"


def restore(directory):
    model = build_model()
    model(tf.zeros([1, *INPUT_SHAPE]))
    model.load_weights(f"{directory}/scorer.weights.h5")
    return model
