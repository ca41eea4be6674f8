"""Estimator.evaluate: fresh graph, restore, run metrics to the end; summaries in eval/."""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf
from google.protobuf import message

from ckptlab.estimator.building import build_graph
from ckptlab.estimator.recording import CallRecording
from ckptlab.estimator.saving import light_scaffold
from ckptlab.estimator.spec import ModeKeys
from ckptlab.tf_private import evaluation, summary_pb2

__all__ = ["AVERAGE_LOSS_METRIC_KEY", "LOSS_METRIC_KEY", "eval_steps_hooks", "evaluate_model"]

_v1 = tf.compat.v1
LOSS_METRIC_KEY = "loss"  # the mean loss every evaluation reports
AVERAGE_LOSS_METRIC_KEY = "average_loss"  # the name heads of tf.estimator 2.15 report it under


def eval_steps_hooks(steps: int | None) -> list:
    if steps is None:
        return []
    if steps <= 0:
        raise ValueError(f"Must specify steps > 0, given: {steps}")
    return [evaluation._StopAfterNEvalsHook(num_evals=steps)]


def _metric_ops_with_loss(metric_ops: dict, loss: Any) -> tuple[Any, dict]:
    """Adds the mean loss metric; returns (grouped update op, {name: value tensor})."""
    if LOSS_METRIC_KEY in metric_ops:
        raise ValueError(f'Metric with name "{LOSS_METRIC_KEY}" is not allowed, because '
                         "Estimator already defines a default metric with the same name.")
    metric_ops = {**metric_ops, LOSS_METRIC_KEY: _v1.metrics.mean(loss)}
    names = sorted(metric_ops)  # sorted, so the graph is the same every time
    update_op = tf.group(*[metric_ops[name][1] for name in names])
    return update_op, {name: metric_ops[name][0] for name in names}


def _dict_to_text(results: dict) -> str:
    return ", ".join(f"{key} = {value}" for key, value in sorted(results.items())
                     if not isinstance(value, bytes))


def write_eval_summary(output_dir: str, results: dict, step: int,
                       checkpoint_path: str | None) -> None:
    """Scalars (and the checkpoint path) for TensorBoard, like tf.estimator's eval/ dir."""
    _v1.logging.info("Saving dict for global step %d: %s", step, _dict_to_text(results))
    summary = summary_pb2.Summary()
    for key, value in results.items():
        if value is None or key == "global_step":
            continue
        if isinstance(value, np.floating | float | np.integer | int):
            summary.value.add(tag=key, simple_value=float(value))
        elif isinstance(value, bytes):  # a serialized Summary (tf.summary.image ...)
            try:
                parsed = summary_pb2.Summary.FromString(value)
            except message.DecodeError:
                _v1.logging.warn("Skipping summary for %s, cannot parse string to Summary.",
                                 key)
                continue
            for index, entry in enumerate(parsed.value):
                entry.tag = f"{key}/{index}"
            summary.value.extend(parsed.value)
        elif isinstance(value, np.ndarray):
            entry = summary.value.add(tag=key, node_name=key)
            entry.tensor.CopyFrom(tf.make_tensor_proto(value))
        else:
            _v1.logging.warn("Skipping summary for %s, must be a float, np.float32, np.int64, "
                             "np.int32 or int or np.ndarray or a serialized string of Summary.",
                             key)
    if checkpoint_path:
        _v1.logging.info("Saving 'checkpoint_path' summary for global step %d: %s", step,
                         checkpoint_path)
        summary.value.add(tag="checkpoint_path", tensor=tf.make_tensor_proto(
            checkpoint_path, dtype=tf.string))
    writer = _v1.summary.FileWriterCache.get(output_dir)
    writer.add_summary(summary, step)
    writer.flush()


def build_eval_graph(estimator: Any, rec: CallRecording, input_fn: Any, hooks: list,
                     checkpoint_path: str | None) -> tuple[Any, Any, dict, list]:
    """In the current graph: inputs, model_fn (EVAL), metrics with loss and global_step.

    Returns (scaffold, update op, {name: value tensor}, hooks) for `run_evaluation`.
    """
    graph = _v1.get_default_graph()
    built = build_graph(estimator, rec, ModeKeys.EVAL, input_fn)
    spec = built.spec
    update_op, results = _metric_ops_with_loss(dict(spec.eval_metric_ops), spec.loss)
    if not checkpoint_path and estimator._warm_start_settings:
        estimator._warm_start(rec)
    if _v1.GraphKeys.GLOBAL_STEP in results:
        raise ValueError("Metric with name `global_step` is not allowed, because "
                         "Estimator already defines a default metric with the same name.")
    results[_v1.GraphKeys.GLOBAL_STEP] = built.global_step
    scaffold = light_scaffold(spec.scaffold)
    if scaffold and scaffold.local_init_op:
        evaluation._get_or_create_eval_step()
        scaffold = _v1.train.Scaffold(
            local_init_op=tf.group(scaffold.local_init_op,
                                   _v1.train.Scaffold.default_local_init_op()),
            copy_from_scaffold=scaffold)
    scaffold = rec.recorded_scaffold(scaffold)
    all_hooks = [*built.input_hooks, *hooks, *spec.evaluation_hooks,
                 *rec.session_hooks(graph, scaffold)]
    return scaffold, update_op, results, all_hooks


def run_evaluation(estimator: Any, checkpoint_path: str | None, scaffold: Any, update_op: Any,
                   results: dict, all_hooks: list, output_dir: str) -> dict:
    """Run the metrics to the end of the input; write them to output_dir; the values."""
    values = evaluation._evaluate_once(
        checkpoint_path=checkpoint_path, scaffold=scaffold, eval_ops=update_op,
        final_ops=results, hooks=all_hooks, config=estimator.config.session_config)
    write_eval_summary(output_dir, values, values[_v1.GraphKeys.GLOBAL_STEP], checkpoint_path)
    return values


def evaluate_model(estimator: Any, rec: CallRecording, input_fn: Any, hooks: list,
                   checkpoint_path: str | None, output_dir: str) -> dict:
    with tf.Graph().as_default():
        parts = build_eval_graph(estimator, rec, input_fn, hooks, checkpoint_path)
        return run_evaluation(estimator, checkpoint_path, *parts, output_dir)
