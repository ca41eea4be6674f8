"""Record what the REAL tf.estimator (TensorFlow <= 2.15) does, as ckptlab events.

`install()` patches `tensorflow_estimator`'s Estimator class in this process so every
instance gets a `recorder` (a `ckptlab.events.Recorder`) and emits the same event
kinds as ckptlab's engine: call_begin/call_end per API call, input_fn_called,
model_fn_called (mode, graph id), variable_created (each variable model_fn creates, via
`ckptlab.estimator.capture`, as the engine does), graph_built, checkpoint_restored and
checkpoint_saved (path, step). Traces of the real Estimator and of the engine can then
be compared (tests/parity, bench/).

Only for the parity environment (tensorflow==2.15 + tensorflow-estimator); importing this
module elsewhere raises ImportError.
"""

from __future__ import annotations

import functools
from typing import Any

import tensorflow as tf

from ckptlab.estimator.capture import GraphIds, VariableCapture, record_graph
from ckptlab.events import Recorder
from ckptlab.scopes import step_of_prefix
from ckptlab.tf_private import estimator_lib, tf_decorator

__all__ = ["install", "installed"]

_active: list[tuple[Recorder, str]] = []  # (recorder, api) of the calls running, innermost last
_ORIGINALS: dict[str, Any] = {}




def _emit(kind: str, **data: Any) -> None:
    if _active:
        _active[-1][0].emit(kind, **data)


def _api_call(api: str, original, self, *args, **kwargs):
    recorder = self.recorder
    recorder.begin_call(api)  # calls nest: train_and_evaluate evaluates inside train
    _active.append((recorder, api))
    status: dict[str, Any] = {"status": "ok"}
    try:
        return original(self, *args, **kwargs)
    except BaseException as error:
        status = {"status": "error", "error": type(error).__name__, "message": str(error)}
        raise
    finally:
        _active.pop()
        recorder.end_call(api, **status)


def _api_generator(api: str, original, self, *args, **kwargs):
    recorder = self.recorder
    recorder.begin_call(api)
    items = original(self, *args, **kwargs)
    status: dict[str, Any] = {"status": "ok"}
    try:
        while True:
            _active.append((recorder, api))  # only while the real predict runs, not the caller
            try:
                item = next(items)
            except StopIteration:
                break
            finally:
                _active.pop()
            yield item
    except GeneratorExit:
        status["closed_early"] = True
        items.close()
        raise
    except BaseException as error:
        status = {"status": "error", "error": type(error).__name__, "message": str(error)}
        raise
    finally:
        recorder.end_call(api, **status)


def _call_model_fn(original, self, features, labels, mode, config):
    recorder, graph = self.recorder, tf.compat.v1.get_default_graph()
    graph_id = self._ckptlab_graph_ids.of(graph)
    user_model_fn = self._model_fn
    captures: list[VariableCapture] = []

    def announce(*args, **kwargs):
        recorder.emit("model_fn_called", mode=str(mode), graph=graph_id)
        with VariableCapture() as capture:
            captures.append(capture)
            return user_model_fn(*args, **kwargs)

    # keeps the learner's signature visible to the Estimator's argument checks
    self._model_fn = tf_decorator.make_decorator(user_model_fn, announce)
    try:
        return original(self, features, labels, mode, config)
    finally:
        self._model_fn = user_model_fn
        for capture in captures:
            record_graph(recorder, graph_id, graph, capture)


def _call_input_fn(original, self, input_fn, mode, *args, **kwargs):
    self.recorder.emit("input_fn_called", mode=str(mode))
    return original(self, input_fn, mode, *args, **kwargs)


def _saver_restore(original, saver, sess, save_path):
    var_list = getattr(saver, "_var_list", None)
    result = original(saver, sess, save_path)
    _emit("checkpoint_restored", path=str(save_path), step=step_of_prefix(save_path),
          variables=len(var_list) if var_list is not None else None)
    return result


def _saver_save(original, saver, sess, save_path, global_step=None, *args, **kwargs):
    path = original(saver, sess, save_path, global_step, *args, **kwargs)
    # an export writes the SavedModel's variables with a Saver: not a checkpoint of model_dir
    if path is not None and _active and _active[-1][1] != "export_saved_model":
        _emit("checkpoint_saved", path=str(path), step=step_of_prefix(path))
    return path


def _init(original, self, *args, **kwargs):
    self.recorder = Recorder()
    self._ckptlab_graph_ids = GraphIds()
    original(self, *args, **kwargs)


def _patch(owner, name: str, wrapper, generator: bool = False) -> None:
    original = getattr(owner, name)
    _ORIGINALS[f"{owner.__name__}.{name}"] = original

    if generator:
        @functools.wraps(original)
        def patched(*args, **kwargs):
            return (yield from wrapper(original, *args, **kwargs))
    else:
        @functools.wraps(original)
        def patched(*args, **kwargs):
            return wrapper(original, *args, **kwargs)
    setattr(owner, name, patched)


def installed() -> bool:
    return bool(_ORIGINALS)


def install() -> None:
    """Patch the real Estimator (idempotent); each new Estimator gets `.recorder`."""
    if installed():
        return
    estimator = estimator_lib.Estimator
    _patch(estimator, "__init__", _init)
    for api in ("train", "evaluate"):
        _patch(estimator, api, functools.partial(_api_call, api))
    # export_saved_model, experimental_export_all_saved_models and export_savedmodel all
    # export through it: each is one "export_saved_model" call, as on the engine
    _patch(estimator, "_export_all_saved_models",
           functools.partial(_api_call, "export_saved_model"))
    _patch(estimator, "predict", functools.partial(_api_generator, "predict"), generator=True)
    _patch(estimator, "_call_model_fn", _call_model_fn)
    _patch(estimator, "_call_input_fn", _call_input_fn)
    saver = tf.compat.v1.train.Saver
    _patch(saver, "restore", _saver_restore)
    _patch(saver, "save", _saver_save)
