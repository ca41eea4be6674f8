"""Make `tensorflow_estimator.python.estimator.*` imports resolve through the shim.

tf.estimator 2.15's own tests import its internal modules (`from
tensorflow_estimator.python.estimator import estimator`, `... .export import export_lib`).
`install(upstream)` installs ckptlab's legacy shim, then puts lazy stand-ins for those
modules into `sys.modules`: each public name a module defines is looked up, when a test
first uses it, at its public path in the shim's `tf.compat.v1.estimator` (the table
below, read off the real tf.estimator 2.15 API). Anything else, private helpers and
canned estimators included, raises AttributeError naming why it is not there, so one test
fails instead of the whole file. Test-only helpers of tf.estimator (fake_summary_writer)
are loaded from the upstream checkout itself; nothing here is tf.estimator's code.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import types
from pathlib import Path

__all__ = ["PUBLIC_NAMES", "install", "resolve"]

ROOT = "tensorflow_estimator.python.estimator"
_HOOKS = ("CheckpointSaverHook", "CheckpointSaverListener", "FeedFnHook", "FinalOpsHook",
          "GlobalStepWaiterHook", "LoggingTensorHook", "NanLossDuringTrainingError",
          "NanTensorHook", "ProfilerHook", "SecondOrStepTimer", "SessionRunArgs",
          "SessionRunContext", "SessionRunHook", "SessionRunValues", "StepCounterHook",
          "StopAtStepHook", "SummarySaverHook")
_RECEIVERS = ("ServingInputReceiver", "TensorServingInputReceiver",
              "build_parsing_serving_input_receiver_fn", "build_raw_serving_input_receiver_fn")
_OUTPUTS = ("ClassificationOutput", "EvalOutput", "ExportOutput", "PredictOutput",
            "RegressionOutput")
_EXPORT = {**{name: f"export.{name}" for name in _RECEIVERS + _OUTPUTS},
           "build_raw_supervised_input_receiver_fn":
               "experimental.build_raw_supervised_input_receiver_fn"}
_TOP = ("BestExporter", "Estimator", "EstimatorSpec", "EvalSpec", "Exporter",
        "FinalExporter", "LatestExporter", "ModeKeys", "RunConfig", "TrainSpec", "VocabInfo",
        "WarmStartSettings", "add_metrics", "train_and_evaluate", *_HOOKS)
# module (under tensorflow_estimator.python.estimator) -> {name: public path}; a "v2:"
# path is looked up in tf.compat.v2.estimator (EstimatorV2 is v2's Estimator)
PUBLIC_NAMES: dict[str, dict[str, str]] = {
    "estimator": {"Estimator": "Estimator", "EstimatorV2": "v2:Estimator",
                  "WarmStartSettings": "WarmStartSettings", "VocabInfo": "VocabInfo"},
    "estimator_lib": {**{name: name for name in _TOP}, "EstimatorV2": "v2:Estimator"},
    "model_fn": {"EstimatorSpec": "EstimatorSpec", "ModeKeys": "ModeKeys",
                 "call_logit_fn": "experimental.call_logit_fn"},
    "mode_keys": {"ModeKeys": "ModeKeys"},
    "run_config": {"RunConfig": "RunConfig"},
    "training": {name: name for name in ("TrainSpec", "EvalSpec", "train_and_evaluate")},
    "exporter": {name: name for name in ("Exporter", "LatestExporter", "BestExporter",
                                         "FinalExporter")},
    "extenders": {"add_metrics": "add_metrics"},
    "early_stopping": {name: f"experimental.{name}" for name in (
        "make_early_stopping_hook", "stop_if_higher_hook", "stop_if_lower_hook",
        "stop_if_no_decrease_hook", "stop_if_no_increase_hook")},
    "hooks.hooks": {name: f"experimental.{name}" for name in (
        "InMemoryEvaluatorHook", "make_stop_at_checkpoint_step_hook")},
    "hooks.basic_session_run_hooks": {name: name for name in _HOOKS},
    "hooks.session_run_hook": {name: name for name in _HOOKS if name.startswith("Session")},
    "export.export": _EXPORT,
    "export.export_lib": _EXPORT,
    "export.export_output": {name: f"export.{name}" for name in _OUTPUTS},
    "inputs.numpy_io": {"numpy_input_fn": "inputs.numpy_input_fn"},
    "inputs.pandas_io": {"pandas_input_fn": "inputs.pandas_input_fn"},
    "inputs.inputs": {"numpy_input_fn": "inputs.numpy_input_fn",
                      "pandas_input_fn": "inputs.pandas_input_fn"},
}


# module-level constants the tests read at import time: not in the public namespace, so
# they are taken from the engine module that defines them ("module:name")
ENGINE_CONSTANTS: dict[str, dict[str, str]] = {
    "run_config": {"TaskType": "ckptlab.estimator.config:TaskType"},
    "model_fn": {"LOSS_METRIC_KEY": "ckptlab.estimator.evaluating:LOSS_METRIC_KEY",
                 "AVERAGE_LOSS_METRIC_KEY":
                     "ckptlab.estimator.evaluating:AVERAGE_LOSS_METRIC_KEY"},
}


def _engine_constant(path: str):
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def _write_dict_to_summary(output_dir, dictionary, current_global_step):
    from ckptlab.estimator.evaluating import write_eval_summary

    write_eval_summary(output_dir, dictionary, current_global_step, None)


def _load_global_step_from_checkpoint_dir(checkpoint_dir):
    from ckptlab.estimator.estimator import saved_global_step

    return saved_global_step(checkpoint_dir)


def _supervised_receiver_fn_from_input_fn(input_fn, **input_fn_args):
    import tensorflow as tf

    from ckptlab.estimator.calls import parse_input

    with tf.Graph().as_default():
        features, labels, _ = parse_input(input_fn(**input_fn_args))
    return resolve("experimental.build_raw_supervised_input_receiver_fn")(features, labels)


def _export_tag_map():
    from tensorflow.python.saved_model.model_utils import export_utils

    return export_utils.EXPORT_TAG_MAP


# `--private-helpers` only (a second, labelled measurement): private helpers that
# tf.estimator's tests use to set up or check, mapped to the engine's equivalent
PRIVATE_HELPERS: dict[str, dict[str, object]] = {
    "estimator": {"_write_dict_to_summary": lambda: _write_dict_to_summary,
                  "_load_global_step_from_checkpoint_dir":
                      lambda: _load_global_step_from_checkpoint_dir},
    "export.export": {"build_supervised_input_receiver_fn_from_input_fn":
                          lambda: _supervised_receiver_fn_from_input_fn},
    "export.export_lib": {"build_supervised_input_receiver_fn_from_input_fn":
                              lambda: _supervised_receiver_fn_from_input_fn,
                          "EXPORT_TAG_MAP": _export_tag_map},
}
# tf.estimator's test helpers, loaded from the upstream checkout (path under ROOT)
TEST_HELPERS = {"hooks.fake_summary_writer": "hooks/fake_summary_writer.py"}


def resolve(path: str):
    """'experimental.stop_if_higher_hook' -> that object in the shim's namespace."""
    import tensorflow as tf

    namespace = tf.compat.v1.estimator
    if path.startswith("v2:"):
        namespace, path = tf.compat.v2.estimator, path[3:]
    value = namespace
    for part in path.split("."):
        value = getattr(value, part)
    return value


class _StandIn(types.ModuleType):
    """A module whose public names come from the shim, on first use."""

    def __init__(self, name: str, names: dict[str, str]):
        super().__init__(name)
        self.__path__ = []  # a package too: its submodules are stand-ins of their own
        self._names = names

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        module = self.__name__.removeprefix(ROOT + ".")
        if name in ENGINE_CONSTANTS.get(module, {}):
            return _engine_constant(ENGINE_CONSTANTS[module][name])
        if os.environ.get("CKPTLAB_PEER_PRIVATE_HELPERS") == "1" and name in PRIVATE_HELPERS.get(
                module, {}):
            return PRIVATE_HELPERS[module][name]()
        path = self._names.get(name)
        if path is None:
            raise AttributeError(
                f"{self.__name__}.{name} is not part of tf.estimator's public API "
                "(private helper, canned estimator or distribution): the peer-suite "
                "adapter resolves only public names through the shim")
        value = resolve(path)
        setattr(self, name, value)
        return value


class _StandInFinder:
    """Any other `tensorflow_estimator.*` module (canned, tpu, ...) is an empty stand-in."""

    @staticmethod
    def find_spec(name: str, path=None, target=None):
        if name != "tensorflow_estimator" and not name.startswith("tensorflow_estimator."):
            return None
        return importlib.util.spec_from_loader(name, _StandInFinder)

    @staticmethod
    def create_module(spec) -> types.ModuleType:
        return _StandIn(spec.name, PUBLIC_NAMES.get(spec.name.removeprefix(ROOT + "."), {}))

    @staticmethod
    def exec_module(module: types.ModuleType) -> None:
        return None


def _load_helper(name: str, file: Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def install(upstream: str | os.PathLike) -> None:
    """Shim first (before TensorFlow), then the stand-in modules and test helpers.

    `upstream`: tf.estimator's `tensorflow_estimator/python/estimator` directory.
    """
    from ckptlab.estimator.legacy import install_estimator_shim

    install_estimator_shim()
    if _StandInFinder not in sys.meta_path:
        sys.meta_path.insert(0, _StandInFinder)
    for name, relative in TEST_HELPERS.items():
        parent, _, child = f"{ROOT}.{name}".rpartition(".")
        setattr(importlib.import_module(parent), child,
                _load_helper(f"{ROOT}.{name}", Path(upstream) / relative))
