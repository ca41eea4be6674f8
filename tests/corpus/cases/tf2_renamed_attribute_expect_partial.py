"""A layer attribute renamed in the class after saving, hidden by expect_partial()."""

import keras
import tensorflow as tf

RENAMED = {"value": False}


class Regressor(keras.Model):
    def __init__(self):
        super().__init__()
        if RENAMED["value"]:
            self.encoder = keras.layers.Dense(8, activation="relu")
        else:
            self.hidden = keras.layers.Dense(8, activation="relu")
        self.out = keras.layers.Dense(1)

    def call(self, x):
        layer = self.encoder if RENAMED["value"] else self.hidden
        return self.out(layer(x))


def build_model():
    return Regressor()


def save(model, optimizer, directory):
    return tf.train.Checkpoint(model=model).save(f"{directory}/ckpt")


def restore(directory):
    RENAMED["value"] = True  # the class was edited before this cell ran again
    model = build_model()
    model(tf.zeros([1, 4]))
    tf.train.Checkpoint(model=model).restore(tf.train.latest_checkpoint(directory)).expect_partial()
    return model
