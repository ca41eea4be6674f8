"""`Estimator`: tf.estimator 2.15's lifecycle on tf.compat.v1, recorded as events.

Each train/evaluate/predict/export_saved_model call builds a brand-new graph, calls
input_fn and model_fn once in it, opens a new session and restores the latest checkpoint
of model_dir (except a first train). `.recorder` holds what happened (ckptlab/events.py).
"""

from __future__ import annotations

import copy
import os
import tempfile
from collections.abc import Iterator
from typing import Any

import tensorflow as tf

from ckptlab.estimator import evaluating, exporting, predicting, training
from ckptlab.estimator.building import call_recorded_model_fn
from ckptlab.estimator.calls import verify_model_fn_args
from ckptlab.estimator.capture import GraphIds
from ckptlab.estimator.config import RunConfig, default_session_config, warm_start_settings
from ckptlab.estimator.recording import CallRecording
from ckptlab.estimator.spec import ModeKeys
from ckptlab.events import Recorder
from ckptlab.tf_private import deprecation

__all__ = ["Estimator", "EstimatorV2"]

_v1 = tf.compat.v1


def _config_with_model_dir(config: RunConfig | None, model_dir: Any,
                           recorder: Recorder) -> RunConfig:
    if config is None:
        config = RunConfig()
        _v1.logging.info("Using default config.")
    if not isinstance(config, RunConfig):
        raise ValueError(f"config must be an instance of `RunConfig`, but provided {config}.")
    if config.session_config is None:
        config = config.replace(session_config=default_session_config())
    model_dir = os.fspath(model_dir) if model_dir is not None else None
    if model_dir is not None and config.model_dir is not None and config.model_dir != model_dir:
        raise ValueError(
            "`model_dir` are set both in constructor and `RunConfig`, but with different "
            f"values. In constructor: '{model_dir}', in `RunConfig`: '{config.model_dir}' ")
    if model_dir:
        return config.replace(model_dir=model_dir)
    if config.model_dir is None:
        model_dir = tempfile.mkdtemp()
        _v1.logging.warn("Using temporary folder as model directory: %s", model_dir)
        recorder.emit("warning", level="warning",
                      message=f"Using temporary folder as model directory: {model_dir}")
        return config.replace(model_dir=model_dir)
    return config


class Estimator:
    """tf.estimator.Estimator's behaviour (single machine, no distribution strategies).

    `recorder=` shares a Recorder between estimators; `record=False` switches it off.
    """

    def __init__(self, model_fn, model_dir=None, config=None, params=None,
                 warm_start_from=None, *, recorder: Recorder | None = None,
                 record: bool = True):
        _assert_members_are_not_overridden(self)
        self.recorder = recorder if recorder is not None else Recorder(enabled=record)
        self._graph_ids = GraphIds()
        self._config = _config_with_model_dir(config, model_dir, self.recorder)
        self._model_dir = self._config.model_dir
        _v1.logging.info("Using config: %s", self._config)
        if model_fn is None:
            raise ValueError("model_fn must be provided to Estimator.")
        verify_model_fn_args(model_fn, params)
        self._model_fn = model_fn
        self._params = copy.deepcopy(params or {})
        self._warm_start_settings = warm_start_settings(warm_start_from)

    model_dir = property(lambda self: self._model_dir)
    config = property(lambda self: copy.deepcopy(self._config))
    params = property(lambda self: copy.deepcopy(self._params))

    @property
    def model_fn(self):
        """The model_fn bound to this Estimator's params: (features, labels, mode, config)."""
        def public_model_fn(features, labels, mode, config):
            return call_recorded_model_fn(self, self._recording("model_fn"), features, labels,
                                          mode, config)
        return public_model_fn

    def latest_checkpoint(self) -> str | None:
        return tf.train.latest_checkpoint(self.model_dir)

    def _require_checkpoint(self) -> None:
        if not self.latest_checkpoint():
            raise ValueError(f"Could not find trained model in model_dir: {self.model_dir}.")

    def get_variable_names(self) -> list[str]:
        self._require_checkpoint()
        return [name for name, _ in tf.train.list_variables(self.model_dir)]

    def get_variable_value(self, name: str) -> Any:
        self._require_checkpoint()
        return tf.train.load_variable(self.model_dir, name)

    def eval_dir(self, name: str | None = None) -> str:
        return os.path.join(self._model_dir, "eval" if not name else "eval_" + name)

    def _recording(self, api: str, **data: Any) -> CallRecording:
        return CallRecording(self.recorder, self._graph_ids, api, **data)

    def _warm_start(self, rec: CallRecording) -> None:
        message = f"Warm-starting with WarmStartSettings: {self._warm_start_settings}"
        rec.info(message)
        _v1.train.warm_start(*self._warm_start_settings)

    def train(self, input_fn, hooks=None, steps=None, max_steps=None, saving_listeners=None):
        if steps is not None and max_steps is not None:
            raise ValueError("Can not provide both steps and max_steps.")
        if steps is not None and steps <= 0:
            raise ValueError(f"Must specify steps > 0, given: {steps}")
        if max_steps is not None and max_steps <= 0:
            raise ValueError(f"Must specify max_steps > 0, given: {max_steps}")
        with self._recording("train", steps=steps, max_steps=max_steps) as rec:
            if max_steps is not None and max_steps <= saved_global_step(self.model_dir):
                rec.info("Skipping training since max_steps has already saved.")
                return self
            hooks = training.check_hooks(hooks) + training.steps_hooks(steps, max_steps)
            listeners = training.check_listeners(saving_listeners)
            loss = training.train_model(self, rec, input_fn, hooks, listeners)
        _v1.logging.info("Loss for final step: %s.", loss)
        return self

    def evaluate(self, input_fn, steps=None, hooks=None, checkpoint_path=None, name=None):
        hooks = training.check_hooks(hooks) + evaluating.eval_steps_hooks(steps)
        with self._recording("evaluate", steps=steps, name=name) as rec:
            checkpoint_path = self._checkpoint_or_log(rec, checkpoint_path, "evaluate")
            return evaluating.evaluate_model(self, rec, input_fn, hooks, checkpoint_path,
                                             self.eval_dir(name))

    def predict(self, input_fn, predict_keys=None, hooks=None, checkpoint_path=None,
                yield_single_examples=True) -> Iterator[Any]:
        hooks = training.check_hooks(hooks)
        with self._recording("predict") as rec:
            checkpoint_path = self._checkpoint_or_log(rec, checkpoint_path, "predict")
            yield from predicting.predict_model(self, rec, input_fn, predict_keys, hooks,
                                                checkpoint_path, yield_single_examples)

    def export_saved_model(self, export_dir_base, serving_input_receiver_fn,
                           assets_extra=None, as_text=False, checkpoint_path=None,
                           experimental_mode=ModeKeys.PREDICT) -> bytes:
        if not serving_input_receiver_fn:
            raise ValueError("An input_receiver_fn must be defined.")
        return self._export_all_saved_models(
            export_dir_base, {experimental_mode: serving_input_receiver_fn},
            assets_extra=assets_extra, as_text=as_text, checkpoint_path=checkpoint_path)

    def experimental_export_all_saved_models(self, export_dir_base, input_receiver_fn_map,
                                             assets_extra=None, as_text=False,
                                             checkpoint_path=None) -> bytes:
        """One SavedModel with a MetaGraph per mode of {mode: input_receiver_fn}."""
        return self._export_all_saved_models(
            export_dir_base, input_receiver_fn_map, assets_extra=assets_extra,
            as_text=as_text, checkpoint_path=checkpoint_path)

    def export_savedmodel(self, export_dir_base, serving_input_receiver_fn,
                          assets_extra=None, as_text=False, checkpoint_path=None,
                          strip_default_attrs=False) -> bytes:
        """The TF1 name of export_saved_model (PREDICT only)."""
        if not serving_input_receiver_fn:
            raise ValueError("An input_receiver_fn must be defined.")
        return self._export_all_saved_models(
            export_dir_base, {ModeKeys.PREDICT: serving_input_receiver_fn},
            assets_extra=assets_extra, as_text=as_text, checkpoint_path=checkpoint_path,
            strip_default_attrs=strip_default_attrs)

    def _export_all_saved_models(self, export_dir_base, input_receiver_fn_map,
                                 assets_extra=None, as_text=False, checkpoint_path=None,
                                 strip_default_attrs=True) -> bytes:
        with self._recording("export_saved_model") as rec:
            checkpoint_path = checkpoint_path or self.latest_checkpoint()
            if not checkpoint_path and self._warm_start_settings:
                checkpoint_path = self._warm_start_settings.ckpt_to_initialize_from
                if tf.io.gfile.isdir(checkpoint_path):
                    checkpoint_path = tf.train.latest_checkpoint(checkpoint_path)
            if not checkpoint_path:
                raise ValueError(f"Couldn't find trained model at {self.model_dir}.")
            return exporting.export_all(self, rec, export_dir_base, input_receiver_fn_map,
                                        checkpoint_path, assets_extra, as_text,
                                        strip_default_attrs)

    def _checkpoint_or_log(self, rec: CallRecording, checkpoint_path: str | None,
                           purpose: str) -> str | None:
        if checkpoint_path:
            return checkpoint_path
        latest = self.latest_checkpoint()
        if not latest:
            rec.info(f"Could not find trained model in model_dir: {self.model_dir}, running "
                     f"initialization to {purpose}.")
        return latest


# members a subclass may override (tf.estimator 2.15's list)
_OVERRIDABLE = {"model_fn", "_create_and_assert_global_step", "_export_all_saved_models",
                "_tf_api_names", "_tf_api_names_v1", "_estimator_api_names",
                "_estimator_api_names_v1", "_estimator_api_constants",
                "_estimator_api_constants_v1", "latest_checkpoint"}


class EstimatorV2(Estimator):
    """tf.estimator.Estimator of the TF2 API (tf.estimator, tf.compat.v2.estimator): the
    TF1 name export_savedmodel is gone (AttributeError), as in tf.estimator 2.15."""

    export_savedmodel = deprecation.hide_attribute_from_api(
        "`Estimator.export_savedmodel` has been deprecated. Please use `export_saved_model` "
        "instead.")


def _assert_members_are_not_overridden(estimator: Estimator) -> None:
    cls = type(estimator)
    base = EstimatorV2 if isinstance(estimator, EstimatorV2) else Estimator
    if cls in (Estimator, EstimatorV2) or cls.__name__ == "TPUEstimator":
        return
    own = {name for name in dir(base) if not name.startswith("__")}
    overridden = [name for name in own & set(cls.__dict__) - _OVERRIDABLE
                  if getattr(base, name) != getattr(cls, name)]
    if overridden:
        raise ValueError("Subclasses of Estimator cannot override members of Estimator. "
                         f"{cls} does override {overridden}")


def saved_global_step(model_dir: str) -> int:
    try:
        reader = tf.train.load_checkpoint(tf.train.latest_checkpoint(model_dir))
        return int(reader.get_tensor(_v1.GraphKeys.GLOBAL_STEP))
    except Exception:  # no checkpoint, or no global_step in it: start from 0
        return 0
