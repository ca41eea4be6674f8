"""TF1's tf.train.Saver used under `import tensorflow as tf` in TF2 code."""

import keras
import tensorflow as tf


def build_model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(1)])


def save(model, optimizer, directory):
    return tf.train.Saver(model.variables).save(None, f"{directory}/model.ckpt")


def restore(directory):
    model = build_model()
    tf.train.Saver(model.variables).restore(None, f"{directory}/model.ckpt")
    return model
