"""tf.compat.v1.estimator.inputs: numpy_input_fn and pandas_input_fn.

tf.estimator 2.15 fed them through queues and QueueRunners; here a tf.data pipeline does
the same work (shuffle, `num_epochs` passes, batches of `batch_size`, the last one
smaller when the epochs end), with the same arguments, checks and messages.
"""

from __future__ import annotations

import collections
import uuid

import numpy as np
import tensorflow as tf

__all__ = ["numpy_input_fn", "pandas_input_fn"]

_v1 = tf.compat.v1
_SHUFFLE_REQUIRED = ("shuffle must be provided and explicitly set as boolean (it is "
                     "recommended to set it as True for training); got {}")


def _batches(columns: dict, batch_size: int, num_epochs: int | None, shuffle: bool,
             capacity: int) -> list:
    """The next batch of each column, in order (one iterator per input_fn call)."""
    data = tf.data.Dataset.from_tensor_slices(tuple(columns.values()))
    if shuffle:
        data = data.shuffle(max(int(capacity), 1))
    data = data.repeat(num_epochs).batch(batch_size)
    return list(_v1.data.make_one_shot_iterator(data).get_next())


def _features(x) -> collections.OrderedDict:
    if isinstance(x, dict):
        if not x:
            raise ValueError("x cannot be an empty dict")
        return collections.OrderedDict(sorted(x.items()))
    if isinstance(x, np.ndarray):
        if x.size == 0:
            raise ValueError("x cannot be an empty array")
        return collections.OrderedDict({"__direct_np_input__": x})
    raise TypeError(f"x must be a dict or array; got {type(x).__name__}")


def numpy_input_fn(x, y=None, batch_size=128, num_epochs=1, shuffle=None,
                   queue_capacity=1000, num_threads=1):
    """An input_fn feeding numpy arrays (x: array or dict of arrays; y likewise)."""
    if not isinstance(shuffle, bool):
        raise ValueError(_SHUFFLE_REQUIRED.format(shuffle))

    def input_fn():
        columns = _features(x)
        feature_keys = list(columns)
        if y is None:
            target_keys = None
        elif isinstance(y, dict):
            if not y:
                raise ValueError("y cannot be empty dict, use None instead.")
            target_keys = sorted(y)
            duplicates = set(feature_keys) & set(target_keys)
            if duplicates:
                raise ValueError(f"{len(duplicates)} duplicate keys are found in both x and "
                                 f"y: {duplicates}")
            columns.update((key, y[key]) for key in target_keys)
        else:
            target_keys = "__target_key__"
            while target_keys in columns:
                target_keys += "_n"
            columns[target_keys] = y
        if len({value.shape[0] for value in columns.values()}) != 1:
            shapes_y = (None if target_keys is None else y.shape
                        if isinstance(target_keys, str)
                        else {key: columns[key].shape for key in target_keys})
            raise ValueError(
                "Length of tensors in x and y is mismatched. All elements in x and y must "
                "have the same length.\n"
                f"Shapes in x: { {key: columns[key].shape for key in feature_keys} }\n"
                f"Shapes in y: {shapes_y}\n")
        batch = _batches(columns, batch_size, num_epochs, shuffle, queue_capacity)
        features = (batch[0] if isinstance(x, np.ndarray)
                    else dict(zip(feature_keys, batch[:len(feature_keys)], strict=True)))
        if target_keys is None:
            return features
        if isinstance(target_keys, str):
            return features, batch[-1]
        return features, dict(zip(target_keys, batch[-len(target_keys):], strict=True))

    return input_fn


def pandas_input_fn(x, y=None, batch_size=128, num_epochs=1, shuffle=None,
                    queue_capacity=1000, num_threads=1, target_column="target"):
    """An input_fn feeding a pandas DataFrame's columns (y: Series or DataFrame)."""
    try:
        import pandas as pd
    except ImportError:
        raise TypeError("pandas_input_fn should not be called without pandas "
                        "installed") from None
    if not isinstance(shuffle, bool):
        raise ValueError(_SHUFFLE_REQUIRED.format(shuffle))
    if not isinstance(target_column, str):
        raise TypeError("target_column must be a string type")
    x = x.copy()
    label_columns: list[tuple[str, str]] = []
    if y is not None:
        if target_column in x:
            raise ValueError(f"Cannot use name {target_column} for target column: DataFrame "
                             f"already has a column with that name: {x.columns}")
        if not np.array_equal(x.index, y.index):
            raise ValueError("Index for x and y are mismatched.\nIndex for x: "
                             f"{x.index}\nIndex for y: {y.index}\n")
        if isinstance(y, pd.DataFrame):
            label_columns = [(column, column if column not in x
                              else f"{column}_{uuid.uuid4()}") for column in y]
            for column, unique in label_columns:
                x[unique] = y[column]
        else:
            x[target_column] = y
    if queue_capacity is None:
        queue_capacity = 4 * len(x) if shuffle else len(x)

    def input_fn():
        names = list(x.columns)
        batch = _batches({name: x[name].values for name in names}, batch_size, num_epochs,
                         shuffle, queue_capacity)
        features = dict(zip(names, batch, strict=True))
        if y is None:
            return features
        if label_columns:
            return features, {column: features.pop(unique) for column, unique in label_columns}
        return features, features.pop(target_column)

    return input_fn
