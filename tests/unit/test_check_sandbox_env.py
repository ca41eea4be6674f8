"""The sandbox decides which Keras backs tf.keras, whatever the caller's environment says."""

from __future__ import annotations

import importlib.util

import pytest

from ckptlab.checker.sandbox import _child_env


@pytest.mark.parametrize("inherited", [None, "1", "0"])
def test_tf2_track_runs_keras_3_and_estimator_track_tf_keras(monkeypatch, inherited):
    if inherited is None:
        monkeypatch.delenv("TF_USE_LEGACY_KERAS", raising=False)
    else:
        monkeypatch.setenv("TF_USE_LEGACY_KERAS", inherited)
    assert "TF_USE_LEGACY_KERAS" not in _child_env("tf2")
    legacy = _child_env("estimator").get("TF_USE_LEGACY_KERAS")
    assert legacy == ("1" if importlib.util.find_spec("tf_keras") else None)
