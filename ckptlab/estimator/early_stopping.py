"""tf.estimator.experimental's early-stopping hooks (single machine).

A hook checks `should_stop_fn` every `run_every_secs` (or `run_every_steps`) during
training; when it returns True it sets the graph's `signal_early_stopping/STOP` variable
and stops. The stop_if_* helpers read the metrics that evaluate() wrote to eval_dir.
"""

from __future__ import annotations

import collections
import operator
import os
from typing import Any

import tensorflow as tf

__all__ = ["make_early_stopping_hook", "read_eval_metrics", "stop_if_higher_hook",
           "stop_if_lower_hook", "stop_if_no_decrease_hook", "stop_if_no_increase_hook"]

_v1 = tf.compat.v1


def read_eval_metrics(eval_dir: str) -> collections.OrderedDict:
    """{global step: {metric: value}} from the scalar summaries in eval_dir, by step."""
    by_step: dict[int, dict] = collections.defaultdict(dict)
    if _v1.gfile.Exists(eval_dir):
        for path in _v1.gfile.Glob(os.path.join(eval_dir, "events.out.tfevents.*")):
            try:
                for event in _v1.train.summary_iterator(path):
                    scalars = {value.tag: value.simple_value for value in event.summary.value
                               if value.HasField("simple_value")}
                    if event.HasField("summary") and scalars:
                        by_step[event.step].update(scalars)
            except tf.errors.DataLossError as error:
                _v1.logging.warning(
                    "Skipping rest of the file due to encountering data corruption error; "
                    "file path: %s; original error raised by `tf.train.summary_iterator`: %s",
                    path, error)
    return collections.OrderedDict(sorted(by_step.items()))


def _stop_variable() -> Any:
    with _v1.variable_scope("signal_early_stopping", values=[], reuse=_v1.AUTO_REUSE):
        return _v1.get_variable("STOP", shape=[], dtype=tf.bool,
                                initializer=_v1.initializers.constant(False),
                                collections=[_v1.GraphKeys.GLOBAL_VARIABLES],
                                trainable=False)


class _StopOnPredicateHook(_v1.train.SessionRunHook):
    def __init__(self, should_stop_fn, run_every_secs=60, run_every_steps=None):
        if not callable(should_stop_fn):
            raise TypeError("`should_stop_fn` must be callable.")
        self._should_stop_fn = should_stop_fn
        self._timer = _v1.train.SecondOrStepTimer(every_secs=run_every_secs,
                                                  every_steps=run_every_steps)

    def begin(self) -> None:
        self._global_step = _v1.train.get_global_step()
        self._stop_op = _v1.assign(_stop_variable(), True)

    def before_run(self, run_context: Any) -> Any:
        return _v1.train.SessionRunArgs(self._global_step)

    def after_run(self, run_context: Any, run_values: Any) -> None:
        step = run_values.results
        if self._timer.should_trigger_for_step(step):
            self._timer.update_last_triggered_step(step)
            if self._should_stop_fn():
                _v1.logging.info("Requesting early stopping at global step %d", step)
                run_context.session.run(self._stop_op)
                run_context.request_stop()


def make_early_stopping_hook(estimator, should_stop_fn, run_every_secs=60,
                             run_every_steps=None):
    """A hook that stops training once `should_stop_fn()` returns True."""
    from ckptlab.estimator.estimator import Estimator

    if not isinstance(estimator, Estimator):
        raise TypeError("`estimator` must have type `tf.estimator.Estimator`. "
                        f"Got: {type(estimator)}")
    if run_every_secs is not None and run_every_steps is not None:
        raise ValueError("Only one of `run_every_secs` and `run_every_steps` must be set.")
    return _StopOnPredicateHook(should_stop_fn, run_every_secs, run_every_steps)


def _threshold_hook(estimator, metric_name, threshold, higher_is_better, eval_dir,
                    min_steps, run_every_secs, run_every_steps):
    eval_dir = eval_dir or estimator.eval_dir()
    better = operator.gt if higher_is_better else operator.lt
    relation = "greater than" if higher_is_better else "less than"

    def crossed() -> bool:
        for step, metrics in read_eval_metrics(eval_dir).items():
            value = metrics[metric_name] if step >= min_steps else None
            if value is not None and better(value, threshold):
                _v1.logging.info(
                    'At step %s, metric "%s" has value %s which is %s the configured '
                    "threshold (%s) for early stopping.", step, metric_name, value,
                    relation, threshold)
                return True
        return False
    return make_early_stopping_hook(estimator, crossed, run_every_secs, run_every_steps)


def _no_improvement_hook(estimator, metric_name, max_steps_without_improvement,
                         higher_is_better, eval_dir, min_steps, run_every_secs,
                         run_every_steps):
    eval_dir = eval_dir or estimator.eval_dir()
    better = operator.gt if higher_is_better else operator.lt
    direction = "increase" if higher_is_better else "decrease"

    def stalled() -> bool:
        best, best_step = None, None
        for step, metrics in read_eval_metrics(eval_dir).items():
            if step < min_steps:
                continue
            value = metrics[metric_name]
            if best is None or better(value, best):
                best, best_step = value, step
            if step - best_step >= max_steps_without_improvement:
                _v1.logging.info(
                    'No %s in metric "%s" for %s steps, which is greater than or equal to '
                    "max steps (%s) configured for early stopping.", direction, metric_name,
                    step - best_step, max_steps_without_improvement)
                return True
        return False
    return make_early_stopping_hook(estimator, stalled, run_every_secs, run_every_steps)


def stop_if_higher_hook(estimator, metric_name, threshold, eval_dir=None, min_steps=0,
                        run_every_secs=60, run_every_steps=None):
    return _threshold_hook(estimator, metric_name, threshold, True, eval_dir, min_steps,
                           run_every_secs, run_every_steps)


def stop_if_lower_hook(estimator, metric_name, threshold, eval_dir=None, min_steps=0,
                       run_every_secs=60, run_every_steps=None):
    return _threshold_hook(estimator, metric_name, threshold, False, eval_dir, min_steps,
                           run_every_secs, run_every_steps)


def stop_if_no_increase_hook(estimator, metric_name, max_steps_without_increase,
                             eval_dir=None, min_steps=0, run_every_secs=60,
                             run_every_steps=None):
    return _no_improvement_hook(estimator, metric_name, max_steps_without_increase, True,
                                eval_dir, min_steps, run_every_secs, run_every_steps)


def stop_if_no_decrease_hook(estimator, metric_name, max_steps_without_decrease,
                             eval_dir=None, min_steps=0, run_every_secs=60,
                             run_every_steps=None):
    return _no_improvement_hook(estimator, metric_name, max_steps_without_decrease, False,
                                eval_dir, min_steps, run_every_secs, run_every_steps)
