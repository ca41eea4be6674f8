"""Provokes CRASHED: restore() starts threads until the check's process limit refuses one."""

import threading

import tensorflow as tf


def build_model():
    return tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1)])


def save(model, optimizer, directory):
    return tf.train.Checkpoint(model=model).save(f"{directory}/ckpt")


def restore(directory):
    threading.stack_size(64 << 10)
    hold = threading.Event()
    while True:  # one thread per item, never joined
        try:
            threading.Thread(target=hold.wait, daemon=True).start()
        except RuntimeError:  # refused: the threads started so far are waited for
            hold.wait()
