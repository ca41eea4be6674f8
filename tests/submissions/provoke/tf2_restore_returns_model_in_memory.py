"""restore() hands back the model object still in memory instead of reading the checkpoint:
in one process it looks perfect; in a new process (a restart) it is a fresh, untrained model.
The checker saves and restores in separate processes, so it sees what a restart sees."""

import keras
import tensorflow as tf

MODEL = None


def build_model():
    global MODEL
    MODEL = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1)])
    return MODEL


def save(model, optimizer, directory):
    return tf.train.Checkpoint(model=model).save(f"{directory}/ckpt")


def restore(directory):
    return MODEL if MODEL is not None else build_model()  # never reads the checkpoint
