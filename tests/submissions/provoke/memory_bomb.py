"""Provokes CRASHED: restore() fills memory past the limit."""

import tensorflow as tf


def build_model():
    return tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1)])


def save(model, optimizer, directory):
    return tf.train.Checkpoint(model=model).save(f"{directory}/ckpt")


def restore(directory):
    hoard = []
    while True:
        hoard.append(bytearray(b"x" * 50_000_000))
