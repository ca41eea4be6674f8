"""train_and_evaluate on one machine, as tf.estimator 2.15 runs it locally.

One train() call; a CheckpointSaverListener evaluates after every checkpoint save except
the first (throttled by EvalSpec.throttle_secs) and once more at the end when the last
step was not evaluated yet. Each evaluation is a full evaluate() call (fresh graph, restore).
"""

from __future__ import annotations

import collections
import os
from typing import Any

import tensorflow as tf

from ckptlab.estimator.exporters import Exporter
from ckptlab.estimator.spec import checked_hooks

__all__ = ["EvalSpec", "TrainSpec", "train_and_evaluate"]

_v1 = tf.compat.v1


def _checked_input_fn(input_fn: Any) -> None:
    if not callable(input_fn):
        raise TypeError(f"`input_fn` must be callable, given: {input_fn}")


def _checked_hooks(hooks: Any) -> tuple:
    return checked_hooks(hooks, "All hooks must be `SessionRunHook` instances")


def _checked_listeners(listeners: Any) -> tuple:
    listeners = tuple(listeners or [])
    for listener in listeners:
        if not isinstance(listener, _v1.train.CheckpointSaverListener):
            raise TypeError("All saving_listeners must be `CheckpointSaverListener` instances, "
                            f"given: {listener}")
    return listeners


def _checked_exporters(exporters: Any) -> tuple:
    """() for None; a single Exporter becomes a 1-tuple; names must be unique strings."""
    if not exporters:
        return ()
    if isinstance(exporters, Exporter):
        exporters = [exporters]
    invalid = TypeError("`exporters` must be an Exporter, an iterable of Exporter, or `None`, "
                        f"found {exporters}.")
    try:
        exporters = tuple(exporters)
    except TypeError:
        raise invalid from None
    names: list[str] = []
    for exporter in exporters:
        if not isinstance(exporter, Exporter):
            raise invalid
        if not exporter.name:
            raise ValueError("An Exporter cannot have a name that is `None` or empty. All "
                             f"exporter names: {[e.name for e in exporters]}")
        if not isinstance(exporter.name, str):
            raise ValueError(f"An Exporter must have a string name. Given: {type(exporter.name)}")
        if exporter.name in names:
            raise ValueError("`exporters` must have unique names. Such a name cannot be `None`."
                             f" All exporter names: {[e.name for e in exporters]}")
        names.append(exporter.name)
    return exporters


class TrainSpec(collections.namedtuple("TrainSpec", ["input_fn", "max_steps", "hooks",
                                                     "saving_listeners"])):
    """The training half of train_and_evaluate: input, duration, hooks, listeners."""

    def __new__(cls, input_fn, max_steps=None, hooks=None, saving_listeners=None):
        _checked_input_fn(input_fn)
        if max_steps is not None and max_steps <= 0:
            raise ValueError(f"Must specify max_steps > 0, given: {max_steps}")
        return super().__new__(cls, input_fn, max_steps, _checked_hooks(hooks),
                               _checked_listeners(saving_listeners))


class EvalSpec(collections.namedtuple("EvalSpec", [
        "input_fn", "steps", "name", "hooks", "exporters", "start_delay_secs",
        "throttle_secs"])):
    """The evaluation half of train_and_evaluate: input, steps, exporters, throttling."""

    def __new__(cls, input_fn, steps=100, name=None, hooks=None, exporters=None,
                start_delay_secs=120, throttle_secs=600):
        _checked_input_fn(input_fn)
        if steps is not None and steps <= 0:
            raise ValueError(f"Must specify steps > 0, given: {steps}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"`name` must be string, given: {name}")
        hooks, exporters = _checked_hooks(hooks), _checked_exporters(exporters)
        if start_delay_secs < 0:
            raise ValueError(f"Must specify start_delay_secs >= 0, given: {start_delay_secs}")
        if throttle_secs < 0:
            raise ValueError(f"Must specify throttle_secs >= 0, given: {throttle_secs}")
        return super().__new__(cls, input_fn, steps, name, hooks, exporters,
                               start_delay_secs, throttle_secs)


class _EvaluateAfterSave(_v1.train.CheckpointSaverListener):
    def __init__(self, estimator: Any, eval_spec: EvalSpec, max_steps: int | None):
        self._estimator, self._spec, self._max_steps = estimator, eval_spec, max_steps
        self.metrics: dict | None = None
        self.export_results: list | None = None  # None when nothing was evaluated (2.15)
        self._last_checkpoint: str | None = None

    def begin(self) -> None:
        self._timer = _v1.train.SecondOrStepTimer(every_secs=self._spec.throttle_secs)
        self._first = True

    def after_save(self, session: Any, global_step_value: int) -> None:
        if self._first:  # the save at the first step of train() is never evaluated
            self._first = False
            return
        if self._timer.should_trigger_for_step(global_step_value):
            self._evaluate(global_step_value)
        else:
            _v1.logging.info("Skip the current checkpoint eval due to throttle secs "
                             f"({self._spec.throttle_secs} secs).")

    def end(self, session: Any, global_step_value: int) -> None:
        if global_step_value != self._timer.last_triggered_step():
            self._evaluate(global_step_value)

    @staticmethod
    def _stale(status: str, warning: str) -> None:
        """Training always ends with a new checkpoint: as tf.estimator 2.15, an error."""
        _v1.logging.warning(warning)
        raise RuntimeError("There was no new checkpoint after the training. "
                           f"Eval status: {status}")

    def _evaluate(self, global_step_value: int) -> None:
        self._timer.update_last_triggered_step(global_step_value)
        checkpoint = self._estimator.latest_checkpoint()
        if not checkpoint:
            self._stale("missing checkpoint", "Estimator is not trained yet. Will start an "
                        "evaluation when a checkpoint is ready.")
        if checkpoint == self._last_checkpoint:
            self._stale("no new checkpoint", "No new checkpoint ready for evaluation. Skip the "
                        "current evaluation pass as evaluation results are expected to be "
                        "same for the same checkpoint.")
        self._last_checkpoint = checkpoint
        spec = self._spec
        self.metrics = self._estimator.evaluate(spec.input_fn, steps=spec.steps,
                                                hooks=list(spec.hooks), name=spec.name,
                                                checkpoint_path=checkpoint)
        final = bool(self._max_steps) and (
            self.metrics[_v1.GraphKeys.GLOBAL_STEP] >= self._max_steps)
        self.export_results = [
            exporter.export(self._estimator, os.path.join(
                self._estimator.model_dir, "export", exporter.name), checkpoint,
                self.metrics, is_the_final_export=final)
            for exporter in spec.exporters]


def train_and_evaluate(estimator: Any, train_spec: TrainSpec, eval_spec: EvalSpec):
    """Train, evaluating after checkpoints; returns (last metrics or None, export results)."""
    from ckptlab.estimator.estimator import Estimator

    if not isinstance(eval_spec, EvalSpec):
        raise TypeError("`eval_spec` must have type `tf.estimator.EvalSpec`. "
                        f"Got: {type(eval_spec)}")
    if not isinstance(estimator, Estimator):
        raise TypeError("`estimator` must have type `tf.estimator.Estimator`. "
                        f"Got: {type(estimator)}")
    if not isinstance(train_spec, TrainSpec):
        raise TypeError("`train_spec` must have type `tf.estimator.TrainSpec`. "
                        f"Got: {type(train_spec)}")
    config = estimator.config
    _v1.logging.info(
        "Start train and evaluate loop. The evaluate will happen after every checkpoint. "
        "Checkpoint frequency is determined based on RunConfig arguments: "
        f"save_checkpoints_steps {config.save_checkpoints_steps} or "
        f"save_checkpoints_secs {config.save_checkpoints_secs}.")
    listener = _EvaluateAfterSave(estimator, eval_spec, train_spec.max_steps)
    estimator.train(train_spec.input_fn, hooks=list(train_spec.hooks),
                    max_steps=train_spec.max_steps,
                    saving_listeners=[*train_spec.saving_listeners, listener])
    return listener.metrics, listener.export_results
