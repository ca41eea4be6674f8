"""Dry-run restore of NAME-BASED checkpoints into TF2 objects, checked against the real thing.

tf.train.Checkpoint(model=...).restore(<Saver checkpoint>) uses TensorFlow's name-based
fallback. Each case writes a real Saver checkpoint whose keys are every name a learner might
expect to line up, runs match_restore, then runs the real restore and compares: the variables
match_restore calls matched must be exactly the variables whose values the restore changed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

from ckptlab.checkpoint import match_restore

FILL = 7.0  # every value in the checkpoints: no initializer produces it


def _saver_checkpoint(directory, shapes: dict[str, tuple[int, ...]]) -> str:
    """A tf.compat.v1 Saver checkpoint with one variable per key, all values FILL."""
    graph = tf.Graph()
    with graph.as_default():
        for key, shape in shapes.items():
            tf.compat.v1.get_variable(key, initializer=tf.fill(shape, FILL))
        saver = tf.compat.v1.train.Saver()
        with tf.compat.v1.Session(graph=graph) as session:
            session.run(tf.compat.v1.global_variables_initializer())
            return saver.save(session, str(directory / "model.ckpt"))


def _spec_name(variable) -> str:
    """How match_restore names a variable: Keras 3 by its path, tf.Variable by its name."""
    return getattr(variable, "path", None) or variable.name.split(":")[0]


def _restore_and_compare(prefix, root):
    """(report, names the real restore changed, restore status)."""
    report = match_restore(prefix, root)
    variables = list(root.variables)
    before = [v.numpy().copy() for v in variables]
    status = tf.train.Checkpoint(model=root).restore(prefix)
    changed = sorted(_spec_name(v) for v, old in zip(variables, before, strict=True)
                     if not np.array_equal(v.numpy(), old))
    return report, changed, status


def _keras_keys(model) -> dict[str, tuple[int, ...]]:
    """Every name a Keras 3 variable answers to: its path and '<layer name>/<variable name>'."""
    keys = {}
    for layer in model.layers:
        for variable in layer.weights:
            keys[f"{layer.name}/{variable.name}"] = tuple(variable.shape)
            keys[variable.path] = tuple(variable.shape)
    return keys


def _sequential():
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, name="hidden"),
                             keras.layers.Dense(1, name="output")])


def _functional():
    inputs = keras.Input((3,))
    hidden = keras.layers.Dense(4, name="hidden")(inputs)
    return keras.Model(inputs, keras.layers.Dense(1, name="output")(hidden))


class _Subclassed(keras.Model):
    def __init__(self):
        super().__init__(name="net")
        self.r = keras.layers.Dense(2, name="r")

    def call(self, inputs):
        return self.r(inputs)


def _subclassed():
    model = _Subclassed()
    model(np.ones((1, 3), np.float32))
    return model


@pytest.mark.parametrize("build", [_sequential, _functional, _subclassed])
def test_keras3_model_gets_nothing_and_match_says_so(tmp_path, build):
    model = build()
    keys = _keras_keys(model)
    assert "r/kernel" in keys or "hidden/kernel" in keys  # the names a learner expects
    prefix = _saver_checkpoint(tmp_path, keys)
    report, changed, status = _restore_and_compare(prefix, model)
    assert type(status).__name__ == "NameBasedSaverStatus"
    assert [s.name for s, _ in report.matched] == changed == []
    assert sorted(s.name for s in report.missing) == sorted(v.path for v in model.variables)
    assert report.by.startswith("variable name") and not report.ok
    assert not report.suggestions  # renaming a Keras 3 variable would not help
    assert len(report.unused) == len(keys)
    notes = " ".join(report.notes)
    assert "NameBasedSaverStatus" in notes and "VARIABLE_VALUE" in notes
    assert "tf.train.load_checkpoint" in notes and "init_from_checkpoint" in notes


class _Net(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(tf.zeros([2, 3]), name="w")
        self.twin = tf.Variable(tf.ones([2, 3]), name="w")  # same name: reads the same key
        with tf.name_scope("block"):
            self.scoped = tf.Variable(tf.zeros([3]), name="b")
        self.unnamed = tf.Variable(tf.zeros([1]))  # named 'Variable'
        self.absent = tf.Variable(tf.zeros([5]), name="not_saved")


def test_tf_module_variables_are_read_by_their_own_names(tmp_path):
    net = _Net()
    prefix = _saver_checkpoint(tmp_path, {"w": (2, 3), "block/b": (3,), "Variable": (1,),
                                          "twin": (2, 3), "scoped": (3,)})
    report, changed, status = _restore_and_compare(prefix, net)
    assert type(status).__name__ == "NameBasedSaverStatus"
    assert sorted(s.name for s, _ in report.matched) == changed == [
        "Variable", "block/b", "w", "w"]
    assert [s.name for s in report.missing] == ["not_saved"]
    # attribute names are not what the fallback reads
    assert sorted(v.key for v in report.unused) == ["scoped", "twin"]
    assert len(report.notes) == 1 and "own name without ':0'" in report.notes[0]


def test_tf_module_missing_scope_gets_a_suggestion(tmp_path):
    net = tf.Module()
    net.kernel = tf.Variable(tf.zeros([3, 4]), name="dense/kernel")
    prefix = _saver_checkpoint(tmp_path, {"model/dense/kernel": (3, 4)})
    report, changed, _ = _restore_and_compare(prefix, net)
    assert report.matched == () and changed == []
    assert [(r.wanted, r.found, r.reason) for r in report.suggestions] == [
        ("dense/kernel", "model/dense/kernel", "scope_prefix")]


def test_tf_module_shape_mismatch_is_reported_and_raises(tmp_path):
    net = tf.Module()
    net.w = tf.Variable(tf.zeros([2, 3]), name="w")
    prefix = _saver_checkpoint(tmp_path, {"w": (3, 2)})
    report = match_restore(prefix, net)
    assert [(m.spec.name, m.what) for m in report.mismatched] == [("w", "shape")]
    with pytest.raises(ValueError, match="incompatible tensor"):
        tf.train.Checkpoint(model=net).restore(prefix)


TF_KERAS_CASE = textwrap.dedent("""
    import json, sys
    import numpy as np, tensorflow as tf, tf_keras
    from pathlib import Path
    from ckptlab.checkpoint import match_restore
    from tests.tf.test_match_name_based import _saver_checkpoint, _spec_name

    model = tf_keras.Sequential([tf_keras.layers.Dense(4, name="hidden", input_shape=(3,)),
                                 tf_keras.layers.Dense(1, name="output")])
    prefix = _saver_checkpoint(Path(sys.argv[1]), {"hidden/kernel": (3, 4),
                                                   "output/bias": (1,)})
    report = match_restore(prefix, model)
    before = [v.numpy().copy() for v in model.variables]
    tf.train.Checkpoint(model=model).restore(prefix)
    changed = [_spec_name(v) for v, old in zip(model.variables, before)
               if not np.array_equal(v.numpy(), old)]
    print(json.dumps({"matched": sorted(s.name for s, _ in report.matched),
                      "changed": sorted(changed), "notes": len(report.notes)}))
""")


def test_tf_keras_model_variables_are_read_by_name(tmp_path):
    env = dict(os.environ, TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run([sys.executable, "-c", TF_KERAS_CASE, str(tmp_path)], env=env,
                            capture_output=True, text=True, cwd=os.getcwd())
    assert result.returncode == 0, result.stderr[-2000:]
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["matched"] == data["changed"] == ["hidden/kernel", "output/bias"]
    assert data["notes"] == 1
