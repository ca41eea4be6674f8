"""ckptlab.claim: a tutorial's statement as one readable line, and a stop when it is false."""

from __future__ import annotations

import pytest

import ckptlab
from ckptlab.claims import ClaimFailed
from ckptlab.events import Recorder


def test_a_claim_that_holds_is_one_line(capsys):
    assert ckptlab.claim("4 calls of model_fn, 4 different graphs", len({1, 2, 3, 4}) == 4) \
        is None
    assert capsys.readouterr().out == "\u2713 4 calls of model_fn, 4 different graphs\n"


def test_a_claim_that_fails_says_so_and_stops_the_run(capsys):
    with pytest.raises(ClaimFailed, match="Not so on this machine: 2 restores"):
        ckptlab.claim("2 restores", False)
    assert capsys.readouterr().out == "\u2717 2 restores\n"
    assert issubclass(ClaimFailed, AssertionError)


def test_recorder_counts_per_api():
    recorder = Recorder()
    recorder.begin_call("train")
    recorder.emit("model_fn_called", mode="train")
    recorder.end_call("train")
    recorder.begin_call("evaluate")
    recorder.emit("model_fn_called", mode="eval")
    recorder.emit("checkpoint_restored", path="m-1", step=1)
    recorder.end_call("evaluate")
    assert recorder.counts("evaluate") == {"call_begin": 1, "model_fn_called": 1,
                                           "checkpoint_restored": 1, "call_end": 1}
    assert recorder.counts()["model_fn_called"] == 2
