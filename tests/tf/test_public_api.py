"""Every public name of ckptlab and ckptlab.estimator resolves to a real object."""

from __future__ import annotations

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # before TensorFlow: tf.compat.v1.layers

import pytest

import ckptlab
import ckptlab.estimator

PUBLIC = [(ckptlab, name) for name in ckptlab.__all__] + [
    (ckptlab.estimator, name) for name in ckptlab.estimator.__all__]


@pytest.mark.parametrize(("module", "name"), PUBLIC,
                         ids=[f"{m.__name__}.{n}" for m, n in PUBLIC])
def test_public_name_resolves(module, name):
    assert getattr(module, name) is not None
