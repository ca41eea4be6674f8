"""Reference solution: save and restore a Keras model and its optimizer."""

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
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer)
    return checkpoint.save(f"{directory}/ckpt")


def restore(directory):
    model, optimizer = build_model(), tf.keras.optimizers.Adam()
    model(tf.zeros([1, 4]))  # build the variables before restoring
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer)
    checkpoint.restore(tf.train.latest_checkpoint(directory)).assert_existing_objects_matched()
    return model, optimizer
