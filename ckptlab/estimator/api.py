"""The `tf.estimator` namespace the legacy shim installs (tf.estimator 2.15's common names)."""

from __future__ import annotations

import types

import tensorflow as tf
from tensorflow.python.saved_model.model_utils import export_output

from ckptlab.estimator.config import RunConfig, WarmStartSettings
from ckptlab.estimator.estimator import Estimator
from ckptlab.estimator.exporting import (
    ServingInputReceiver,
    TensorServingInputReceiver,
    build_raw_serving_input_receiver_fn,
)
from ckptlab.estimator.spec import EstimatorSpec, ModeKeys
from ckptlab.estimator.train_eval import EvalSpec, TrainSpec, train_and_evaluate

__all__ = [
    "CheckpointSaverHook",
    "CheckpointSaverListener",
    "Estimator",
    "EstimatorSpec",
    "EvalSpec",
    "LoggingTensorHook",
    "ModeKeys",
    "NanTensorHook",
    "RunConfig",
    "SessionRunArgs",
    "SessionRunContext",
    "SessionRunHook",
    "SessionRunValues",
    "StepCounterHook",
    "StopAtStepHook",
    "SummarySaverHook",
    "TrainSpec",
    "WarmStartSettings",
    "export",
    "train_and_evaluate",
]

_train = tf.compat.v1.train
SessionRunHook = _train.SessionRunHook
SessionRunArgs = _train.SessionRunArgs
SessionRunContext = _train.SessionRunContext
SessionRunValues = _train.SessionRunValues
CheckpointSaverHook = _train.CheckpointSaverHook
CheckpointSaverListener = _train.CheckpointSaverListener
LoggingTensorHook = _train.LoggingTensorHook
NanTensorHook = _train.NanTensorHook
StepCounterHook = _train.StepCounterHook
StopAtStepHook = _train.StopAtStepHook
SummarySaverHook = _train.SummarySaverHook

export = types.SimpleNamespace(
    ServingInputReceiver=ServingInputReceiver,
    TensorServingInputReceiver=TensorServingInputReceiver,
    build_raw_serving_input_receiver_fn=build_raw_serving_input_receiver_fn,
    PredictOutput=export_output.PredictOutput,
    RegressionOutput=export_output.RegressionOutput,
    ClassificationOutput=export_output.ClassificationOutput,
)
