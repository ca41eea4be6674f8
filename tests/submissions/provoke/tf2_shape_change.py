"""Provokes SHAPE_MISMATCH (TF2): restore() builds a wider layer than was saved."""

import tensorflow as tf


def build_model(units=8):
    return tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(units),
                                tf.keras.layers.Dense(1)])


def save(model, optimizer, directory):
    return tf.train.Checkpoint(model=model).save(f"{directory}/ckpt")


def restore(directory):
    model = build_model(units=16)
    tf.train.Checkpoint(model=model).restore(tf.train.latest_checkpoint(directory))
    return model
