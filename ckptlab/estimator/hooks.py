"""tf.estimator.experimental's training hooks: InMemoryEvaluatorHook and the
checkpoint-step stop hook (single machine).

InMemoryEvaluatorHook builds the EVAL graph once (in `begin`), then every
`every_n_iter` training steps (and at the start and the end) copies the training
session's variable values into it and runs a full evaluation, without a checkpoint.
"""

from __future__ import annotations

import os
import time
from typing import Any

import tensorflow as tf

from ckptlab.estimator import evaluating, training
from ckptlab.estimator.estimator import saved_global_step
from ckptlab.tf_private import training_util

__all__ = ["InMemoryEvaluatorHook", "make_stop_at_checkpoint_step_hook"]

_v1 = tf.compat.v1


class InMemoryEvaluatorHook(_v1.train.SessionRunHook):
    """Evaluate the model being trained, from memory, every `every_n_iter` steps."""

    def __init__(self, estimator, input_fn, steps=None, hooks=None, name=None,
                 every_n_iter=100):
        if every_n_iter is None or every_n_iter <= 0:
            raise ValueError(f"invalid every_n_iter={every_n_iter}.")
        config = estimator.config
        if config.num_ps_replicas > 0 or config.num_worker_replicas > 1:
            raise ValueError(
                "InMemoryEvaluator supports only single machine (aka Local) setting.")
        self._estimator, self._input_fn, self._steps = estimator, input_fn, steps
        self._eval_dir = os.path.join(estimator.model_dir,
                                      "eval" if not name else "eval_" + name)
        self._hooks = training.check_hooks(hooks) + evaluating.eval_steps_hooks(steps)
        self._timer = _v1.train.SecondOrStepTimer(every_steps=every_n_iter)

    def begin(self) -> None:
        self._timer.reset()
        self._iter_count = 0
        self._graph = tf.Graph()
        # recorded into the running train() call, as its own input_fn/model_fn calls
        rec = self._estimator._recording("evaluate")
        with self._graph.as_default():
            (self._scaffold, self._update_op, self._results,
             self._all_hooks) = evaluating.build_eval_graph(
                self._estimator, rec, self._input_fn, self._hooks, checkpoint_path=None)
            if self._scaffold.saver is not None:
                raise ValueError("InMemoryEvaluator does not support custom saver")
            if self._scaffold.init_fn is not None:
                raise ValueError("InMemoryEvaluator does not support custom init_fn")
            self._eval_variables = {v.name: v for v in _v1.global_variables()}
            self._placeholders = {name: _v1.placeholder(v.dtype)
                                  for name, v in self._eval_variables.items()}

    def after_create_session(self, session: Any, coord: Any) -> None:
        if _v1.get_collection(_v1.GraphKeys.SAVEABLE_OBJECTS):
            raise ValueError("InMemoryEvaluator does not support saveables other than global "
                             "variables.")
        train_variables = {v.name: v for v in _v1.global_variables()}
        shared = sorted(set(self._placeholders) & set(train_variables))
        self._train_variables = {name: train_variables[name] for name in shared}
        with self._graph.as_default():
            self._feed_op = tf.group([_v1.assign(self._eval_variables[name],
                                                 self._placeholders[name])
                                      for name in shared])
        self._evaluate(session)

    def _evaluate(self, train_session: Any) -> None:
        values = train_session.run(self._train_variables)
        feed = {self._placeholders[name]: value for name, value in values.items()}

        def feed_variables(scaffold: Any, session: Any) -> None:
            session.run(self._feed_op, feed_dict=feed)

        scaffold = _v1.train.Scaffold(init_fn=feed_variables, copy_from_scaffold=self._scaffold)
        with self._graph.as_default():
            evaluating.run_evaluation(self._estimator, None, scaffold, self._update_op,
                                      self._results, self._all_hooks, self._eval_dir)
        self._timer.update_last_triggered_step(self._iter_count)

    def after_run(self, run_context: Any, run_values: Any) -> None:
        self._iter_count += 1
        if self._timer.should_trigger_for_step(self._iter_count):
            self._evaluate(run_context.session)

    def end(self, session: Any) -> None:
        self._evaluate(session)


class _StopAtCheckpointStepHook(_v1.train.SessionRunHook):
    """Stops once model_dir holds a checkpoint of `last_step` (a worker's hook)."""

    def __init__(self, model_dir, last_step, wait_after_file_check_secs=30):
        if last_step is None:
            raise ValueError("last_step must be specified.")
        if model_dir is None:
            raise ValueError("model_dir must be specified.")
        self._model_dir, self._last_step = model_dir, last_step
        self._wait_secs = wait_after_file_check_secs

    def begin(self) -> None:
        self._global_step = training_util._get_or_create_global_step_read()
        if self._global_step is None:
            raise RuntimeError("Global step should be created to use StopAtCheckpointStepHook.")

    def before_run(self, run_context: Any) -> Any:
        return _v1.train.SessionRunArgs(self._global_step)

    def after_run(self, run_context: Any, run_values: Any) -> None:
        if run_values.results + 1 >= self._last_step:
            if saved_global_step(self._model_dir) >= self._last_step:
                run_context.request_stop()
            else:
                time.sleep(self._wait_secs)


def make_stop_at_checkpoint_step_hook(estimator, last_step, wait_after_file_check_secs=30):
    """The chief stops at `last_step`; other workers wait for its checkpoint."""
    if estimator.config.is_chief:
        return _v1.train.StopAtStepHook(last_step=last_step)
    return _StopAtCheckpointStepHook(estimator.model_dir, last_step,
                                     wait_after_file_check_secs)
