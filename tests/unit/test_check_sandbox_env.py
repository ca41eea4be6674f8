"""The warm runner's environment: the checker decides it, nothing comes from the caller's."""

from __future__ import annotations

import importlib.util

import pytest

from ckptlab.checker.warm import runner_env


@pytest.mark.parametrize("inherited", [None, "1", "0"])
def test_tf2_track_runs_keras_3_and_estimator_track_tf_keras(monkeypatch, inherited):
    if inherited is None:
        monkeypatch.delenv("TF_USE_LEGACY_KERAS", raising=False)
    else:
        monkeypatch.setenv("TF_USE_LEGACY_KERAS", inherited)
    assert "TF_USE_LEGACY_KERAS" not in runner_env("tf2")
    legacy = runner_env("estimator").get("TF_USE_LEGACY_KERAS")
    assert legacy == ("1" if importlib.util.find_spec("tf_keras") else None)


def test_no_variable_of_the_grader_reaches_the_runner(monkeypatch):
    monkeypatch.setenv("GRADER_SECRET_TOKEN", "s3cret")
    env = runner_env("tf2")
    assert "GRADER_SECRET_TOKEN" not in env
    assert "s3cret" not in " ".join(env.values())
