"""Turn one Estimator API call into lifecycle events (ckptlab.events).

`CallRecording` brackets a call with call_begin/call_end, turns TensorFlow's own warnings
(e.g. the global-step warning of StepCounterHook) into `warning` events while the call
runs, and hands out the hook and saver listener that report sessions, restores and saves.
Everything is a no-op when the recorder is disabled.
"""

from __future__ import annotations

import contextlib
import logging
import os
from typing import Any

import tensorflow as tf

from ckptlab.estimator.capture import GraphIds, VariableCapture, record_graph
from ckptlab.estimator.saving import saver_of
from ckptlab.events import Recorder
from ckptlab.scopes import step_of_prefix
from ckptlab.tf_private import saver_lib

__all__ = ["TALLY", "CallRecording", "tallied"]

_v1 = tf.compat.v1
# every model_fn call and every restore of ckptlab's Estimators in this process, whatever
# Recorder each one has (or none): the checker counts what a learner's own Estimators do too
TALLY = {"model_fn_called": 0, "checkpoint_restored": 0}


def tallied(kind: str) -> None:
    TALLY[kind] += 1


class _WarningsToEvents(logging.Handler):
    def __init__(self, recorder: Recorder):
        super().__init__(level=logging.WARNING)
        self._recorder = recorder

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):  # recording never breaks the learner's call
            self._recorder.emit("warning", message=record.getMessage(),
                                level=record.levelname.lower())


class _RecordingSaver:
    """Stands in for the call's Saver in the session's Scaffold: every attribute is the
    Saver's own; restore() also reports the restore. The learner's Saver is not touched."""

    def __init__(self, saver: Any, on_restore: Any):
        self._saver, self._on_restore = saver, on_restore

    def restore(self, session: Any, save_path: str) -> Any:
        result = self._saver.restore(session, save_path)
        self._on_restore(save_path)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._saver, name)


class _SessionEvents(_v1.train.SessionRunHook):
    """Reports session_created, and checkpoint_restored when the call's Saver restores.

    The restore is seen through the Saver the session creator will use (the Scaffold's,
    else the graph's default one, made here as Scaffold.finalize would), wrapped in this
    call's own Scaffold, so a restore is recorded even when the session then fails its
    readiness check.
    """

    def __init__(self, recorder: Recorder, graph: int, scaffold: Any):
        self._recorder, self._graph, self._scaffold = recorder, graph, scaffold
        self._announced = False

    def begin(self) -> None:
        self._variables = len(_v1.global_variables())
        saver = self._scaffold.saver
        if isinstance(saver, _RecordingSaver):
            saver._on_restore = self._restored
            return
        saver = saver or saver_lib._get_saver_or_default()
        if saver is not None and self._scaffold.saver is None:  # our Scaffold, not theirs
            self._scaffold._saver = _RecordingSaver(saver, self._restored)

    def _restored(self, save_path: str) -> None:
        tallied("checkpoint_restored")
        self._announce()
        self._recorder.emit("checkpoint_restored", path=save_path, step=step_of_prefix(save_path),
                            variables=self._variables)

    def _announce(self) -> None:
        if not self._announced:
            self._announced = True
            self._recorder.emit("session_created", graph=self._graph)

    def after_create_session(self, session: Any, coord: Any) -> None:
        self._announce()


class _SaveEvents(_v1.train.CheckpointSaverListener):
    def __init__(self, recorder: Recorder, model_dir: str):
        self._recorder, self._prefix = recorder, os.path.join(model_dir, "model.ckpt")

    def after_save(self, session: Any, global_step_value: int) -> None:
        step = int(global_step_value)
        self._recorder.emit("checkpoint_saved", path=f"{self._prefix}-{step}", step=step)


class CallRecording:
    """Context manager for one API call (train, evaluate, predict, export_saved_model)."""

    def __init__(self, recorder: Recorder, graph_ids: GraphIds, api: str, **data: Any):
        self.recorder, self._graph_ids, self._api, self._data = recorder, graph_ids, api, data
        self._handler: logging.Handler | None = None

    @property
    def enabled(self) -> bool:
        return self.recorder.enabled

    def __enter__(self) -> CallRecording:
        if self.enabled:
            self.recorder.begin_call(self._api, **self._data)
            self._handler = _WarningsToEvents(self.recorder)
            tf.get_logger().addHandler(self._handler)
        return self

    def __exit__(self, kind: Any, error: BaseException | None, traceback: Any) -> None:
        if self._handler is not None:
            tf.get_logger().removeHandler(self._handler)
            self._handler = None
        if not self.enabled:
            return
        if error is None or isinstance(error, GeneratorExit | StopIteration):
            self.recorder.end_call(self._api, status="ok")
        else:
            self.recorder.end_call(self._api, status="error", error=type(error).__name__,
                                   message=str(error).splitlines()[0] if str(error) else "")

    def graph_id(self, graph: Any) -> int:
        return self._graph_ids.of(graph)

    def capture(self) -> VariableCapture | _NoCapture:
        return VariableCapture() if self.enabled else _NoCapture()

    def input_fn_called(self, mode: str, graph: Any) -> None:
        self.recorder.emit("input_fn_called", mode=mode, graph=self.graph_id(graph))

    def model_fn_called(self, mode: str, graph: Any) -> None:
        tallied("model_fn_called")
        self.recorder.emit("model_fn_called", mode=mode, graph=self.graph_id(graph))

    def graph_built(self, graph: Any, capture: Any) -> None:
        if self.enabled:
            record_graph(self.recorder, self.graph_id(graph), graph, capture)

    def info(self, message: str) -> None:
        """Log an INFO line as tf.estimator does, and record it."""
        _v1.logging.info(message)
        self.recorder.emit("log", level="info", message=message)

    def recorded_scaffold(self, scaffold: Any) -> Any:
        """A Scaffold of this call's own (the learner's is copied, never changed) whose
        Saver reports restores; pass it to the session and to `session_hooks`."""
        if not self.enabled:
            return scaffold
        saver = saver_of(scaffold.saver)
        return _v1.train.Scaffold(
            copy_from_scaffold=scaffold,
            saver=None if saver is None else _RecordingSaver(saver, lambda path: None))

    def session_hooks(self, graph: Any, scaffold: Any) -> list:
        """The hook reporting the session and its restore; `scaffold`: the one the
        session will be created with."""
        if not self.enabled:
            return []
        return [_SessionEvents(self.recorder, self.graph_id(graph), scaffold)]

    def saver_listeners(self, model_dir: str) -> list:
        return [_SaveEvents(self.recorder, model_dir)] if self.enabled else []


class _NoCapture:
    variables: tuple = ()

    def __enter__(self) -> _NoCapture:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        return None
