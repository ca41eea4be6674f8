"""Estimator.train: one fresh graph, MonitoredTrainingSession, saves at first and last step.

Hooks and their order follow tf.estimator 2.15: NanTensorHook, a LoggingTensorHook for
loss and step, a CheckpointSaverHook by RunConfig (plus the StepCounterHook and
SummarySaverHook that MonitoredTrainingSession adds), then the learner's hooks.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from ckptlab.estimator.building import build_graph
from ckptlab.estimator.recording import CallRecording
from ckptlab.estimator.saving import LeanCheckpointSaverHook, light_scaffold
from ckptlab.estimator.spec import ModeKeys, checked_hooks

__all__ = ["check_hooks", "train_model"]

_v1 = tf.compat.v1


def check_hooks(hooks: Any) -> list:
    return list(checked_hooks(hooks, "Hooks must be a SessionRunHook"))


def check_listeners(listeners: Any) -> list:
    listeners = list(listeners or [])
    for listener in listeners:
        if not isinstance(listener, _v1.train.CheckpointSaverListener):
            raise TypeError("saving_listeners must be a list of CheckpointSaverListener, "
                            f"given: {listener}")
    return listeners


def steps_hooks(steps: int | None, max_steps: int | None) -> list:
    if steps is None and max_steps is None:
        return []
    return [_v1.train.StopAtStepHook(steps, max_steps)]


def _default_saver(config: Any) -> None:
    _v1.add_to_collection(_v1.GraphKeys.SAVERS, _v1.train.Saver(
        sharded=True, max_to_keep=config.keep_checkpoint_max,
        keep_checkpoint_every_n_hours=config.keep_checkpoint_every_n_hours,
        defer_build=True, save_relative_paths=True))


def _saver_hooks(estimator: Any, spec: Any, all_hooks: list, listeners: list,
                 record_listeners: list) -> list:
    """The chief-only CheckpointSaverHook (unless the learner brought one) + listeners."""
    config, chief_hooks = estimator.config, []
    saver_hooks = [hook for hook in all_hooks
                   if isinstance(hook, _v1.train.CheckpointSaverHook)]
    if (config.save_checkpoints_secs or config.save_checkpoints_steps) and not saver_hooks:
        chief_hooks = [LeanCheckpointSaverHook(
            estimator.model_dir, save_secs=config.save_checkpoints_secs,
            save_steps=config.save_checkpoints_steps, scaffold=spec.scaffold,
            save_graph_def=config.checkpoint_save_graph_def)]
        saver_hooks = chief_hooks
    if listeners and not saver_hooks:
        raise ValueError(
            "There should be a CheckpointSaverHook to use saving_listeners. Please set "
            "one of the RunConfig.save_checkpoints_steps or "
            "RunConfig.save_checkpoints_secs.")
    # the record of a save comes first: a listener that raises does not hide the save
    for listener in [*record_listeners, *listeners] if saver_hooks else ():
        if listener not in saver_hooks[0]._listeners:
            saver_hooks[0]._listeners.append(listener)
    return chief_hooks


def train_model(estimator: Any, rec: CallRecording, input_fn: Any, hooks: list,
                listeners: list) -> Any:
    """Build, restore (if model_dir has a checkpoint), run until a hook stops; the loss."""
    config, model_dir = estimator.config, estimator.model_dir
    with tf.Graph().as_default() as graph, graph.device(config.device_fn):
        built = build_graph(estimator, rec, ModeKeys.TRAIN, input_fn)
        spec = built.spec._replace(
            scaffold=rec.recorded_scaffold(light_scaffold(built.spec.scaffold)))
        latest = tf.train.latest_checkpoint(model_dir)
        if estimator._warm_start_settings and not latest:
            estimator._warm_start(rec)
        if not any(s.op.name == "loss" for s in _v1.get_collection(_v1.GraphKeys.SUMMARIES)):
            _v1.summary.scalar("loss", spec.loss)
        _v1.add_to_collection(_v1.GraphKeys.LOSSES, spec.loss)
        worker_hooks = [*built.input_hooks, *hooks, _v1.train.NanTensorHook(spec.loss)]
        if config.log_step_count_steps is not None:
            worker_hooks.append(_v1.train.LoggingTensorHook(
                {"loss": spec.loss, "step": built.global_step},
                every_n_iter=config.log_step_count_steps))
        worker_hooks.extend(spec.training_hooks)
        if not (spec.scaffold.saver or _v1.get_collection(_v1.GraphKeys.SAVERS)):
            _default_saver(config)
        chief_hooks = _saver_hooks(estimator, spec, worker_hooks + list(
            spec.training_chief_hooks), listeners, rec.saver_listeners(model_dir))
        with _v1.train.MonitoredTrainingSession(
                checkpoint_dir=model_dir, scaffold=spec.scaffold, hooks=worker_hooks,
                chief_only_hooks=(*rec.session_hooks(graph, spec.scaffold), *chief_hooks,
                                  *spec.training_chief_hooks),
                save_checkpoint_secs=0, save_summaries_steps=config.save_summary_steps,
                is_chief=config.is_chief,
                config=config.session_config, log_step_count_steps=config.log_step_count_steps,
                max_wait_secs=config.session_creation_timeout_secs,
                save_graph_def=config.checkpoint_save_graph_def) as session:
            loss, steps = None, 0
            while not session.should_stop():
                steps += 1
                _, loss = session.run([spec.train_op, spec.loss])
        if steps == 0:
            _v1.logging.warn("Training with estimator made no steps. "
                             "Perhaps input is empty or misspecified.")
    return loss
