"""Known-wrong: the name map sends the hidden layer's keys to the wrong layer."""

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
    reader = tf.train.load_checkpoint(tf.train.latest_checkpoint(directory))
    mapping = {"dnn/hidden/kernel": (1, "kernel"), "dnn/hidden/bias": (1, "bias"),
               "dnn/logits/kernel": (0, "kernel"), "dnn/logits/bias": (0, "bias")}
    for key, (index, attr) in mapping.items():
        getattr(model.layers[index], attr).assign(reader.get_tensor(key))
    return model
