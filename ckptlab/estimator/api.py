"""The `tf.estimator` namespace the legacy shim installs (tf.estimator 2.15's public names).

Canned estimators, TPU and distribution are not part of the engine.
"""

from __future__ import annotations

import types

import tensorflow as tf

from ckptlab.estimator import early_stopping, hooks
from ckptlab.estimator import inputs as _inputs
from ckptlab.estimator.calls import call_logit_fn
from ckptlab.estimator.config import RunConfig, WarmStartSettings
from ckptlab.estimator.estimator import Estimator
from ckptlab.estimator.exporters import BestExporter, Exporter, FinalExporter, LatestExporter
from ckptlab.estimator.exporting import (
    ServingInputReceiver,
    TensorServingInputReceiver,
    build_parsing_serving_input_receiver_fn,
    build_raw_serving_input_receiver_fn,
    build_raw_supervised_input_receiver_fn,
)
from ckptlab.estimator.extenders import add_metrics
from ckptlab.estimator.spec import EstimatorSpec, ModeKeys
from ckptlab.estimator.train_eval import EvalSpec, TrainSpec, train_and_evaluate
from ckptlab.tf_private import export_output

_train = tf.compat.v1.train
# TensorFlow's own session-run hooks, under the names tf.estimator re-exported them
CheckpointSaverHook = _train.CheckpointSaverHook
CheckpointSaverListener = _train.CheckpointSaverListener
FeedFnHook = _train.FeedFnHook
FinalOpsHook = _train.FinalOpsHook
GlobalStepWaiterHook = _train.GlobalStepWaiterHook
LoggingTensorHook = _train.LoggingTensorHook
NanLossDuringTrainingError = _train.NanLossDuringTrainingError
NanTensorHook = _train.NanTensorHook
ProfilerHook = _train.ProfilerHook
SecondOrStepTimer = _train.SecondOrStepTimer
SessionRunArgs = _train.SessionRunArgs
SessionRunContext = _train.SessionRunContext
SessionRunHook = _train.SessionRunHook
SessionRunValues = _train.SessionRunValues
StepCounterHook = _train.StepCounterHook
StopAtStepHook = _train.StopAtStepHook
SummarySaverHook = _train.SummarySaverHook
VocabInfo = _train.VocabInfo

export = types.SimpleNamespace(
    ServingInputReceiver=ServingInputReceiver,
    TensorServingInputReceiver=TensorServingInputReceiver,
    build_parsing_serving_input_receiver_fn=build_parsing_serving_input_receiver_fn,
    build_raw_serving_input_receiver_fn=build_raw_serving_input_receiver_fn,
    ClassificationOutput=export_output.ClassificationOutput,
    EvalOutput=export_output.EvalOutput,
    ExportOutput=export_output.ExportOutput,
    PredictOutput=export_output.PredictOutput,
    RegressionOutput=export_output.RegressionOutput,
)
experimental = types.SimpleNamespace(
    InMemoryEvaluatorHook=hooks.InMemoryEvaluatorHook,
    build_raw_supervised_input_receiver_fn=build_raw_supervised_input_receiver_fn,
    call_logit_fn=call_logit_fn,
    make_early_stopping_hook=early_stopping.make_early_stopping_hook,
    make_stop_at_checkpoint_step_hook=hooks.make_stop_at_checkpoint_step_hook,
    stop_if_higher_hook=early_stopping.stop_if_higher_hook,
    stop_if_lower_hook=early_stopping.stop_if_lower_hook,
    stop_if_no_decrease_hook=early_stopping.stop_if_no_decrease_hook,
    stop_if_no_increase_hook=early_stopping.stop_if_no_increase_hook,
)
inputs = types.SimpleNamespace(numpy_input_fn=_inputs.numpy_input_fn,
                               pandas_input_fn=_inputs.pandas_input_fn)

__all__ = ["BestExporter", "CheckpointSaverHook", "CheckpointSaverListener", "Estimator",
           "EstimatorSpec", "EvalSpec", "Exporter", "FeedFnHook", "FinalExporter",
           "FinalOpsHook", "GlobalStepWaiterHook", "LatestExporter", "LoggingTensorHook",
           "ModeKeys", "NanLossDuringTrainingError", "NanTensorHook", "ProfilerHook",
           "RunConfig", "SecondOrStepTimer", "SessionRunArgs", "SessionRunContext",
           "SessionRunHook", "SessionRunValues", "StepCounterHook", "StopAtStepHook",
           "SummarySaverHook", "TrainSpec", "VocabInfo", "WarmStartSettings", "add_metrics",
           "experimental", "export", "inputs", "train_and_evaluate"]
