"""Dry-run restore of Keras 3 `.weights.h5` files into real Keras 3 models.

Each case is checked against what `model.load_weights` really does with the same file.
"""

from __future__ import annotations

import re
import warnings

import keras
import numpy as np
import pytest

from ckptlab import match_restore
from ckptlab.errors import UsageError
from ckptlab.render.checkpoint import match_text
from tests.helpers.checkpoints import checksums

X, Y = np.ones((4, 3), np.float32), np.ones((4, 2), np.float32)


def sequential(*units: int, names: tuple[str, ...] = ()) -> keras.Model:
    names = names or (None,) * len(units)
    return keras.Sequential([keras.Input((3,))] + [
        keras.layers.Dense(u, name=n) for u, n in zip(units, names, strict=True)])


def trained(model: keras.Model) -> keras.Model:
    model.compile(keras.optimizers.Adam(0.01), "mse")
    model.fit(X, Y, verbose=0)
    return model


class Block(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.a = keras.layers.Dense(4)
        self.norm = keras.layers.BatchNormalization()

    def call(self, x):
        return self.norm(self.a(x))


class Nested(keras.Model):
    def __init__(self, head_attribute: str = "head"):
        super().__init__()
        self.head_attribute = head_attribute
        self.block = Block()
        self.extra = [keras.layers.Dense(3)]
        setattr(self, head_attribute, keras.layers.Dense(2))

    def call(self, x):
        return getattr(self, self.head_attribute)(self.extra[0](self.block(x)))


def built(model: keras.Model) -> keras.Model:
    model(X)
    return model


def keras_error(model: keras.Model, path) -> str:
    """What Keras 3 load_weights says: the exception text, or the warnings ('' when none)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model.load_weights(str(path))
        except ValueError as error:
            return str(error)
    return " ".join(str(w.message) for w in caught)


@pytest.fixture(scope="module")
def sequential_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("h5") / "seq.weights.h5"
    trained(sequential(4, 2)).save_weights(str(path))
    return path


def test_same_architecture_matches_and_renamed_sequential_layers_do_not_matter(
        sequential_file):
    before = checksums(sequential_file.parent)
    renamed = sequential(4, 2, names=("hidden", "out"))
    report = match_restore(sequential_file, renamed)
    assert report.ok and report.by == "Keras 3 h5 layout"
    assert [(s.name, s.label.split("/", 1)[1]) for s, _ in report.matched] == [
        ("layers/dense/vars/0", "hidden/kernel"), ("layers/dense/vars/1", "hidden/bias"),
        ("layers/dense_1/vars/0", "out/kernel"), ("layers/dense_1/vars/1", "out/bias")]
    assert len(report.unused) == 10 and {v.kind for v in report.unused} == {"optimizer"}
    assert "not by layer name" in match_text(report)
    assert keras_error(renamed, sequential_file) == ""  # Keras agrees: loads silently
    assert checksums(sequential_file.parent) == before


def test_functional_model_reads_the_sequential_layout(sequential_file):
    inputs = keras.Input((3,))
    functional = keras.Model(inputs, keras.layers.Dense(2, name="top")(
        keras.layers.Dense(4, name="bottom")(inputs)))
    report = match_restore(sequential_file, functional)
    assert report.ok and [s.label.rsplit("/", 2)[-2] for s, _ in report.matched] == [
        "bottom", "bottom", "top", "top"]
    assert keras_error(functional, sequential_file) == ""


def test_layer_added_and_shape_changed_are_mismatches(sequential_file):
    added = match_restore(sequential_file, sequential(4, 8, 2))
    assert [m.spec.name for m in added.mismatched] == [
        "layers/dense_1/vars/0", "layers/dense_1/vars/1"]
    assert added.mismatched[0].stored.shape == (4, 2) and added.mismatched[0].spec.shape == (4, 8)
    assert [s.name for s in added.missing] == ["layers/dense_2/vars/0", "layers/dense_2/vars/1"]
    assert "must match" in keras_error(sequential(4, 8, 2), sequential_file)
    wider = match_restore(sequential_file, sequential(8, 2))
    assert [m.what for m in wider.mismatched] == ["shape"] * 3 and not wider.ok
    assert re.search(r"layers/dense/vars/0 \(\w+/dense_\d+/kernel\): wanted \(3, 8\) float32, "
                     r"checkpoint has \(3, 4\)", match_text(wider))


def test_untrained_optimizer_is_skipped_whole(sequential_file):
    compiled = sequential(4, 2)
    compiled.compile(keras.optimizers.Adam(0.01), "mse")
    report = match_restore(sequential_file, compiled)
    assert [s.name for s in report.missing] == ["optimizer/vars/0", "optimizer/vars/1"]
    assert "has 2 variables and the file's has 10" in report.notes[-1]
    assert "Skipping variable loading for optimizer" in keras_error(compiled, sequential_file)


def test_nested_subclassed_model_and_a_renamed_attribute(tmp_path):
    path = tmp_path / "nested.weights.h5"
    trained(built(Nested())).save_weights(str(path))
    same = match_restore(path, trained(built(Nested())))
    # 10 weights, then the optimizer: iterations, learning rate, m and v of 8 trainables
    assert same.ok and not same.unused and len(same.matched) == 10 + 2 + 2 * 8
    names = {s.name: s.label for s, _ in same.matched}
    assert re.fullmatch(r"nested\w*/block\w*/batch_normalization\w*/moving_variance",
                        names["block/norm/vars/3"])
    assert "extra/dense/vars/0" in names and "head/vars/1" in names
    renamed = built(Nested("classifier"))
    report = match_restore(path, renamed)
    assert [s.name for s in report.missing] == ["classifier/vars/0", "classifier/vars/1"]
    assert [v.key for v in report.unused if v.kind == "weight"] == ["head/vars/0", "head/vars/1"]
    assert [(r.wanted, r.found, r.reason) for r in report.suggestions] == [
        ("classifier/vars/0", "head/vars/0", "renamed_layer"),
        ("classifier/vars/1", "head/vars/1", "renamed_layer")]
    assert "could not be loaded" in keras_error(renamed, path)


def test_unbuilt_model_is_refused_like_keras(sequential_file, tmp_path):
    path = tmp_path / "nested.weights.h5"
    built(Nested()).save_weights(str(path))
    with pytest.raises(UsageError, match="not been built"):
        match_restore(path, Nested())
    assert "not yet been built" in keras_error(Nested(), path)
