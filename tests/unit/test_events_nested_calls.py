"""Recorder attributes events to the innermost running call; calls may nest."""

from __future__ import annotations

from ckptlab.events import Recorder


def test_nested_call_returns_to_the_outer_call():
    recorder = Recorder()
    outer = recorder.begin_call("train")
    recorder.emit("checkpoint_saved", path="m-0", step=0)
    inner = recorder.begin_call("evaluate")
    recorder.emit("checkpoint_restored", path="m-3", step=3, variables=1)
    recorder.end_call("evaluate", status="ok")
    recorder.emit("checkpoint_saved", path="m-6", step=6)
    recorder.end_call("train", status="ok")
    recorder.emit("warning", message="after")
    calls = [(event.kind, event.call) for event in recorder.events]
    assert calls == [("call_begin", outer), ("checkpoint_saved", outer), ("call_begin", inner),
                     ("checkpoint_restored", inner), ("call_end", inner),
                     ("checkpoint_saved", outer), ("call_end", outer), ("warning", -1)]
    assert (outer, inner) == (0, 1)
