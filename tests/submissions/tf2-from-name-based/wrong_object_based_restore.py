"""Known-wrong: reads the name-based checkpoint as if it were object-based."""

import tensorflow as tf

NAME_MAP = {"dnn/hidden/kernel": (0, "kernel"), "dnn/hidden/bias": (0, "bias"),
            "dnn/logits/kernel": (1, "kernel"), "dnn/logits/bias": (1, "bias")}


def build_model():
    return tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(8, "relu"),
                                tf.keras.layers.Dense(1)])


def save(model, optimizer, directory):
    names = {key: tf.Variable(getattr(model.layers[i], attr).numpy())
             for key, (i, attr) in NAME_MAP.items()}
    return tf.compat.v1.train.Saver(var_list=names).save(None, f"{directory}/model.ckpt")


def restore(directory):
    model = build_model()
    tf.train.Checkpoint(model=model).restore(tf.train.latest_checkpoint(directory))
    return model
