"""The training state saved with Adam is restored into an SGD optimizer with momentum."""

import keras
import tensorflow as tf


def build_model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                             keras.layers.Dense(1)])


def save(model, optimizer, directory):
    return tf.train.Checkpoint(model=model, optimizer=optimizer).save(f"{directory}/ckpt")


def restore(directory):
    model, optimizer = build_model(), keras.optimizers.SGD(0.01, momentum=0.9)
    optimizer.build(model.trainable_variables)
    tf.train.Checkpoint(model=model, optimizer=optimizer).restore(
        tf.train.latest_checkpoint(directory))
    return model, optimizer
