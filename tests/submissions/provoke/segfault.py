"""Provokes CRASHED: a segmentation fault inside restore()."""

import ctypes

import tensorflow as tf


def build_model():
    return tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1)])


def save(model, optimizer, directory):
    return tf.train.Checkpoint(model=model).save(f"{directory}/ckpt")


def restore(directory):
    return ctypes.string_at(0)
