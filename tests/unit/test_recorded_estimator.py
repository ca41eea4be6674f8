"""The shipped transcripts of the real tf.estimator 2.15 (tests/parity/test_recorded.py
re-records them against the real library under `make parity`)."""

from __future__ import annotations

import pytest

from ckptlab.errors import UsageError
from ckptlab.estimator.recorded import real_2_15


def test_one_call_one_graph_one_restore_per_call_after_the_first():
    assert str(real_2_15("train_twice")) == (
        "2 calls (train): 2 model_fn calls in 2 graphs, 1 restore")
    many = real_2_15("predict_ten_times_one_example")
    assert (len(many.calls), many.model_fn_calls, many.graphs, many.restores) == (11, 11, 11, 10)


def test_failures_and_logs_are_recorded_too():
    assert real_2_15("variable_only_in_predict").error.startswith(
        "NotFoundError: Restoring from checkpoint failed.")
    assert real_2_15("predict_without_checkpoint").logs[0].startswith(
        "Could not find trained model in model_dir")


def test_an_unknown_scenario_is_named():
    with pytest.raises(UsageError, match="No recorded scenario 'nope'"):
        real_2_15("nope")


def test_an_error_is_read_line_by_line():
    real = real_2_15("variable_only_in_predict")
    assert real.error_line("not found in checkpoint") == (
        "Key model/calibration not found in checkpoint")
    assert real.error_line().startswith("NotFoundError: Restoring from checkpoint failed.")
    assert real_2_15("train_twice").error_line() == ""
