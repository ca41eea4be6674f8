"""Correct: the inference copy has no Dropout layer; object paths still pair every weight."""

import keras
import tensorflow as tf


class Regressor(keras.Model):
    def __init__(self, with_dropout=True):
        super().__init__()
        self.hidden = keras.layers.Dense(8, activation="relu")
        self.dropout = keras.layers.Dropout(0.2) if with_dropout else None
        self.out = keras.layers.Dense(1)

    def call(self, x, training=False):
        x = self.hidden(x)
        if self.dropout is not None:
            x = self.dropout(x, training=training)
        return self.out(x)


def build_model():
    return Regressor()


def save(model, optimizer, directory):
    return tf.train.Checkpoint(model=model).save(f"{directory}/ckpt")


def restore(directory):
    model = Regressor(with_dropout=False)
    model(tf.zeros([1, 4]))
    tf.train.Checkpoint(model=model).restore(
        tf.train.latest_checkpoint(directory)).assert_existing_objects_matched()
    return model
