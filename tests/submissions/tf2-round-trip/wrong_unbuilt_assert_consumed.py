"""Known-wrong: restores into a model that was never called, then asserts everything matched."""

import tensorflow as tf


class Regressor(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = tf.keras.layers.Dense(8, activation="relu")
        self.out = tf.keras.layers.Dense(1)

    def call(self, x):
        return self.out(self.hidden(x))


def build_model():
    return Regressor()


def save(model, optimizer, directory):
    return tf.train.Checkpoint(model=model, optimizer=optimizer).save(f"{directory}/ckpt")


def restore(directory):
    model, optimizer = build_model(), tf.keras.optimizers.Adam()
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer)
    checkpoint.restore(tf.train.latest_checkpoint(directory)).assert_consumed()
    return model, optimizer
