"""Exporters run by train_and_evaluate after each evaluation (tf.estimator 2.15's four).

LatestExporter exports every time and keeps the newest `exports_to_keep`; BestExporter
exports when `compare_fn` says the new metrics beat the best seen so far (read back from
the eval event files first); FinalExporter exports only at the end of training.
"""

from __future__ import annotations

import abc
import os
from typing import Any

import tensorflow as tf

from ckptlab.estimator.evaluating import LOSS_METRIC_KEY
from ckptlab.tf_private import function_utils

__all__ = ["BestExporter", "Exporter", "FinalExporter", "LatestExporter"]

_v1 = tf.compat.v1


class Exporter(abc.ABC):
    """A way to export an Estimator's model: a `name` and an `export()` method."""

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """The directory under model_dir/export/ this exporter writes to."""

    @abc.abstractmethod
    def export(self, estimator, export_path, checkpoint_path, eval_result,
               is_the_final_export):
        """Export the model; returns what was exported (a path), or None."""


class _SavedModelExporter(Exporter):
    def __init__(self, name, serving_input_receiver_fn, assets_extra=None, as_text=False):
        self._name, self._receiver_fn = name, serving_input_receiver_fn
        self._assets_extra, self._as_text = assets_extra, as_text

    @property
    def name(self) -> str:
        return self._name

    def export(self, estimator, export_path, checkpoint_path, eval_result,
               is_the_final_export):
        return estimator.export_saved_model(
            export_path, self._receiver_fn, assets_extra=self._assets_extra,
            as_text=self._as_text, checkpoint_path=checkpoint_path)


def _keep_newest(export_dir_base: str, exports_to_keep: int | None) -> None:
    """Delete all but the `exports_to_keep` newest timestamped exports."""
    if exports_to_keep is None or not _v1.gfile.Exists(export_dir_base):
        return
    versions = sorted(int(name.rstrip("/")) for name in _v1.gfile.ListDirectory(export_dir_base)
                      if len(name.rstrip("/")) == 10 and name.rstrip("/").isdigit())
    for version in versions[:-exports_to_keep]:
        path = os.path.join(export_dir_base, str(version))
        try:
            _v1.gfile.DeleteRecursively(path)
        except tf.errors.NotFoundError as error:
            _v1.logging.warn("Can not delete %s recursively: %s", path, error)


def _loss_smaller(best_eval_result, current_eval_result) -> bool:
    for name, result in (("best_eval_result", best_eval_result),
                         ("current_eval_result", current_eval_result)):
        if not result or LOSS_METRIC_KEY not in result:
            raise ValueError(f"{name} cannot be empty or no loss is found in it.")
    return best_eval_result[LOSS_METRIC_KEY] > current_eval_result[LOSS_METRIC_KEY]


def _check_compare_fn(compare_fn: Any) -> None:
    args = set(function_utils.fn_args(compare_fn))
    for required in ("best_eval_result", "current_eval_result"):
        if required not in args:
            raise ValueError(f"compare_fn ({compare_fn}) must include {required} argument.")
    unexpected = list(args - {"best_eval_result", "current_eval_result"})
    if unexpected:
        raise ValueError(f"compare_fn ({compare_fn}) has following not expected args: "
                         f"{unexpected}")


class LatestExporter(Exporter):
    def __init__(self, name, serving_input_receiver_fn, assets_extra=None, as_text=False,
                 exports_to_keep=5):
        self._exporter = _SavedModelExporter(name, serving_input_receiver_fn, assets_extra,
                                             as_text)
        if exports_to_keep is not None and exports_to_keep <= 0:
            raise ValueError("`exports_to_keep`, if provided, must be positive number")
        self._exports_to_keep = exports_to_keep

    @property
    def name(self) -> str:
        return self._exporter.name

    def export(self, estimator, export_path, checkpoint_path, eval_result,
               is_the_final_export):
        result = self._exporter.export(estimator, export_path, checkpoint_path, eval_result,
                                       is_the_final_export)
        _keep_newest(export_path, self._exports_to_keep)
        return result


class FinalExporter(Exporter):
    def __init__(self, name, serving_input_receiver_fn, assets_extra=None, as_text=False):
        self._exporter = _SavedModelExporter(name, serving_input_receiver_fn, assets_extra,
                                             as_text)

    @property
    def name(self) -> str:
        return self._exporter.name

    def export(self, estimator, export_path, checkpoint_path, eval_result,
               is_the_final_export):
        if not is_the_final_export:
            return None
        _v1.logging.info("Performing the final export in the end of training.")
        return self._exporter.export(estimator, export_path, checkpoint_path, eval_result,
                                     is_the_final_export)


class BestExporter(Exporter):
    def __init__(self, name="best_exporter", serving_input_receiver_fn=None,
                 event_file_pattern="eval/*.tfevents.*", compare_fn=_loss_smaller,
                 assets_extra=None, as_text=False, exports_to_keep=5):
        if compare_fn is None:
            raise ValueError("`compare_fn` must not be None.")
        _check_compare_fn(compare_fn)
        self._compare_fn = compare_fn
        self._exporter = _SavedModelExporter(name, serving_input_receiver_fn, assets_extra,
                                             as_text)
        self._event_file_pattern = event_file_pattern
        self._model_dir, self._best_eval_result, self._has_exported = None, None, False
        if exports_to_keep is not None and exports_to_keep <= 0:
            raise ValueError("`exports_to_keep`, if provided, must be a positive number. "
                             f"Got {exports_to_keep}")
        self._exports_to_keep = exports_to_keep

    @property
    def name(self) -> str:
        return self._exporter.name

    def export(self, estimator, export_path, checkpoint_path, eval_result,
               is_the_final_export):
        if self._model_dir != estimator.model_dir and self._event_file_pattern:
            _v1.logging.info("Loading best metric from event files.")
            self._model_dir = estimator.model_dir
            self._best_eval_result = self._best_in_event_files(
                os.path.join(self._model_dir, self._event_file_pattern))
        if (self._best_eval_result is None or not self._has_exported
                or self._compare_fn(best_eval_result=self._best_eval_result,
                                    current_eval_result=eval_result)):
            _v1.logging.info("Performing best model export.")
            self._best_eval_result = eval_result
            result = self._exporter.export(estimator, export_path, checkpoint_path,
                                           eval_result, is_the_final_export)
            _keep_newest(export_path, self._exports_to_keep)
            self._has_exported = True
            return result
        return None

    def _best_in_event_files(self, pattern: str) -> dict | None:
        best = None
        for path in _v1.gfile.Glob(pattern):
            for event in _v1.train.summary_iterator(path):
                scalars = {value.tag: value.simple_value for value in event.summary.value
                           if value.HasField("simple_value")}
                if scalars and (best is None or self._compare_fn(best, scalars)):
                    best = scalars
        return best
