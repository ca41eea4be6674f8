"""Known-wrong: restores under another attribute name and hides it with expect_partial()."""

import tensorflow as tf


def build_model():
    return tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(8),
                                tf.keras.layers.Dense(1)])


def save(model, optimizer, directory):
    return tf.train.Checkpoint(model=model, optimizer=optimizer).save(f"{directory}/ckpt")


def restore(directory):
    model = build_model()
    tf.train.Checkpoint(net=model).restore(tf.train.latest_checkpoint(directory)).expect_partial()
    return model
