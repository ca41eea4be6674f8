"""A subclassed model restored before it was ever called (Keras 3 deferred restore)."""

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
    return tf.train.Checkpoint(model=model).save(f"{directory}/ckpt")


def restore(directory):
    model = build_model()
    tf.train.Checkpoint(model=model).restore(tf.train.latest_checkpoint(directory))
    return model
