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

__all__ = ["EvalSpec", "TrainSpec", "train_and_evaluate"]

_v1 = tf.compat.v1


class TrainSpec(collections.namedtuple("TrainSpec", ["input_fn", "max_steps", "hooks",
                                                     "saving_listeners"])):
    def __new__(cls, input_fn, max_steps=None, hooks=None, saving_listeners=None):
        if not callable(input_fn):
            raise TypeError(f"`input_fn` must be callable, given: {input_fn}")
        if max_steps is not None and max_steps <= 0:
            raise ValueError(f"Must specify max_steps > 0, given: {max_steps}")
        return super().__new__(cls, input_fn, max_steps, tuple(hooks or ()),
                               tuple(saving_listeners or ()))


class EvalSpec(collections.namedtuple("EvalSpec", [
        "input_fn", "steps", "name", "hooks", "exporters", "start_delay_secs",
        "throttle_secs"])):
    def __new__(cls, input_fn, steps=100, name=None, hooks=None, exporters=None,
                start_delay_secs=120, throttle_secs=600):
        if not callable(input_fn):
            raise TypeError(f"`input_fn` must be callable, given: {input_fn}")
        if steps is not None and steps <= 0:
            raise ValueError(f"Must specify steps > 0, given: {steps}")
        if exporters is not None and not isinstance(exporters, list | tuple):
            exporters = [exporters]
        return super().__new__(cls, input_fn, steps, name, tuple(hooks or ()),
                               tuple(exporters or ()), start_delay_secs, throttle_secs)


class _EvaluateAfterSave(_v1.train.CheckpointSaverListener):
    def __init__(self, estimator: Any, eval_spec: EvalSpec):
        self._estimator, self._spec = estimator, eval_spec
        self.metrics: dict | None = None
        self.export_results: list = []
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

    def _evaluate(self, global_step_value: int) -> None:
        self._timer.update_last_triggered_step(global_step_value)
        checkpoint = self._estimator.latest_checkpoint()
        if not checkpoint or checkpoint == self._last_checkpoint:
            return
        self._last_checkpoint = checkpoint
        spec = self._spec
        self.metrics = self._estimator.evaluate(spec.input_fn, steps=spec.steps,
                                                hooks=list(spec.hooks), name=spec.name,
                                                checkpoint_path=checkpoint)
        self.export_results = [
            exporter.export(self._estimator, os.path.join(
                self._estimator.model_dir, "export", exporter.name), checkpoint,
                self.metrics, is_the_final_export=False)
            for exporter in spec.exporters]


def train_and_evaluate(estimator: Any, train_spec: TrainSpec, eval_spec: EvalSpec):
    """Train, evaluating after checkpoints; returns (last metrics or None, export results)."""
    config = estimator.config
    _v1.logging.info(
        "Start train and evaluate loop. The evaluate will happen after every checkpoint. "
        "Checkpoint frequency is determined based on RunConfig arguments: "
        f"save_checkpoints_steps {config.save_checkpoints_steps} or "
        f"save_checkpoints_secs {config.save_checkpoints_secs}.")
    listener = _EvaluateAfterSave(estimator, eval_spec)
    estimator.train(train_spec.input_fn, hooks=list(train_spec.hooks),
                    max_steps=train_spec.max_steps,
                    saving_listeners=[listener, *train_spec.saving_listeners])
    return listener.metrics, listener.export_results
