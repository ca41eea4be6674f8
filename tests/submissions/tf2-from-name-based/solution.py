"""Reference solution: load a name-based (Estimator-era) checkpoint into a Keras model
through a name map, after building the model."""

import tensorflow as tf

# checkpoint key written by the legacy code -> (layer index, weight attribute)
NAME_MAP = {"dnn/hidden/kernel": (0, "kernel"), "dnn/hidden/bias": (0, "bias"),
            "dnn/logits/kernel": (1, "kernel"), "dnn/logits/bias": (1, "bias")}


def build_model():
    return tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(8, "relu"),
                                tf.keras.layers.Dense(1)])


def save(model, optimizer, directory):
    """Plays the legacy side: a tf.compat.v1 Saver checkpoint with Estimator-style names."""
    names = {key: tf.Variable(getattr(model.layers[i], attr).numpy())
             for key, (i, attr) in NAME_MAP.items()}
    return tf.compat.v1.train.Saver(var_list=names).save(None, f"{directory}/model.ckpt")


def restore(directory):
    model = build_model()
    reader = tf.train.load_checkpoint(tf.train.latest_checkpoint(directory))
    for key, (index, attr) in NAME_MAP.items():
        getattr(model.layers[index], attr).assign(reader.get_tensor(key))
    return model
