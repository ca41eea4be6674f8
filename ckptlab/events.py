"""Lifecycle events: the record every engine call, tracer and widget speaks.

Pure Python (no TensorFlow): an `Event` is JSON-serialisable and a `Recorder` collects
them in order and forwards each one to live subscribers (e.g. a timeline widget).

Kinds and their `data` fields (all JSON values):
- call_begin / call_end: api ("train", "evaluate", "predict", "export_saved_model"),
  plus on call_end: status ("ok" or "error"), error (class name), message.
- input_fn_called: mode, graph.
- model_fn_called: mode, graph (an id unique per tf.Graph within the recorder).
- variable_created: name, shape (list, None for unknown dims), dtype, trainable, scope,
  order (creation index within its graph), graph, local (metric/local variable, unsaved).
- graph_built: graph, op_counts ({op type: count}), collections ({name: size}), ops (total).
- session_created: graph.
- checkpoint_restored: path, step, variables (count).
- checkpoint_saved: path, step.
- warning: message (the text a learner would see in the log).
- log: level ("info"), message (an INFO line a learner would see, e.g. "Could not find
  trained model in model_dir: ..., running initialization to predict.").

estimator/capture.py (TensorFlow side) produces variable_created and graph_built from a graph.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

EVENT_KINDS = (
    "call_begin", "call_end", "input_fn_called", "model_fn_called", "variable_created",
    "graph_built", "session_created", "checkpoint_restored", "checkpoint_saved", "warning",
    "log",
)


@dataclass(frozen=True)
class Event:
    kind: str
    seq: int
    call: int  # index of the API call (train/evaluate/...) the event belongs to; -1 outside
    time: float  # seconds since the recorder started
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Recorder:
    """Collects events in order; `enabled=False` makes `emit` a cheap no-op."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.events: list[Event] = []
        self._subscribers: list[Callable[[Event], None]] = []
        self._start = time.perf_counter()
        self._call = -1
        self._calls = 0
        self._outer: list[int] = []  # calls that were running when a nested call began

    def subscribe(self, callback: Callable[[Event], None]) -> Callable[[], None]:
        """Call `callback(event)` for each new event; returns an unsubscribe function."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback)

    def begin_call(self, api: str, **data: Any) -> int:
        """Start a call; calls may nest (train_and_evaluate evaluates inside train)."""
        self._outer.append(self._call)
        self._call = self._calls
        self._calls += 1
        self.emit("call_begin", api=api, **data)
        return self._call

    def end_call(self, api: str, **data: Any) -> None:
        self.emit("call_end", api=api, **data)
        self._call = self._outer.pop() if self._outer else -1

    def emit(self, kind: str, **data: Any) -> Event | None:
        if not self.enabled:
            return None
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}; expected one of {EVENT_KINDS}")
        event = Event(kind, len(self.events), self._call,
                      round(time.perf_counter() - self._start, 6), data)
        self.events.append(event)
        for callback in list(self._subscribers):
            with contextlib.suppress(Exception):  # a broken view never breaks training
                callback(event)
        return event

    def of_kind(self, *kinds: str) -> list[Event]:
        return [event for event in self.events if event.kind in kinds]

    def counts(self, api: str | None = None) -> dict[str, int]:
        """Events per kind; with `api` ("train", "evaluate", ...) only those of its calls."""
        calls = None if api is None else {
            e.call for e in self.events if e.kind == "call_begin" and e.data.get("api") == api}
        totals: dict[str, int] = {}
        for event in self.events:
            if calls is None or event.call in calls:
                totals[event.kind] = totals.get(event.kind, 0) + 1
        return totals

    def to_json(self) -> str:
        return json.dumps([event.to_dict() for event in self.events])

