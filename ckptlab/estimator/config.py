"""`RunConfig` (checkpoint, summary and logging cadence) and `WarmStartSettings`.

Defaults and rules are tf.estimator 2.15's: with neither save setting given, a checkpoint
every 600 seconds; setting one switches the other off; setting both is an error.
"""

from __future__ import annotations

import collections
import copy
import os
from typing import Any

import tensorflow as tf
from tensorflow.core.protobuf import rewriter_config_pb2

__all__ = ["RunConfig", "WarmStartSettings", "default_session_config"]

_USE_DEFAULT = object()
_BOTH_SAVE_SETTINGS = (
    "`save_checkpoints_steps` and `save_checkpoints_secs` cannot be both set.")
_REPLACEABLE = ("model_dir", "tf_random_seed", "save_summary_steps", "save_checkpoints_steps",
                "save_checkpoints_secs", "session_config", "keep_checkpoint_max",
                "keep_checkpoint_every_n_hours", "log_step_count_steps")


def default_session_config() -> Any:
    """allow_soft_placement, like tf.estimator; the grappler graph rewrites are off.

    tf.estimator ran one grappler pass per new session; every Estimator call opens a new
    session, and on TF 2.21 those passes cost about a quarter of the CPU time of a small
    train/evaluate/predict round trip. Results are the same (fused ops may differ in the
    last float bits). A session_config given in RunConfig is used unchanged.
    """
    rewrite = rewriter_config_pb2.RewriterConfig(
        meta_optimizer_iterations=rewriter_config_pb2.RewriterConfig.ONE,
        disable_meta_optimizer=True)
    return tf.compat.v1.ConfigProto(
        allow_soft_placement=True,
        graph_options=tf.compat.v1.GraphOptions(rewrite_options=rewrite))


class RunConfig:
    """Where and how often an Estimator saves; read-only properties like tf.estimator's."""

    def __init__(self, model_dir=None, tf_random_seed=None, save_summary_steps=100,
                 save_checkpoints_steps=_USE_DEFAULT, save_checkpoints_secs=_USE_DEFAULT,
                 session_config=None, keep_checkpoint_max=5,
                 keep_checkpoint_every_n_hours=10000, log_step_count_steps=100, **ignored):
        if save_checkpoints_steps is _USE_DEFAULT and save_checkpoints_secs is _USE_DEFAULT:
            save_checkpoints_steps, save_checkpoints_secs = None, 600
        elif save_checkpoints_secs is _USE_DEFAULT:
            save_checkpoints_secs = None
        elif save_checkpoints_steps is _USE_DEFAULT:
            save_checkpoints_steps = None
        elif save_checkpoints_steps is not None and save_checkpoints_secs is not None:
            raise ValueError(_BOTH_SAVE_SETTINGS)
        self._model_dir = os.fspath(model_dir) if model_dir is not None else None
        self._tf_random_seed = tf_random_seed
        self._save_summary_steps = save_summary_steps
        self._save_checkpoints_steps = save_checkpoints_steps
        self._save_checkpoints_secs = save_checkpoints_secs
        self._session_config = session_config
        self._keep_checkpoint_max = keep_checkpoint_max
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self._log_step_count_steps = log_step_count_steps
        self._ignored = dict(ignored)  # distribution and cluster settings: not supported

    model_dir = property(lambda self: self._model_dir)
    tf_random_seed = property(lambda self: self._tf_random_seed)
    save_summary_steps = property(lambda self: self._save_summary_steps)
    save_checkpoints_steps = property(lambda self: self._save_checkpoints_steps)
    save_checkpoints_secs = property(lambda self: self._save_checkpoints_secs)
    session_config = property(lambda self: self._session_config)
    keep_checkpoint_max = property(lambda self: self._keep_checkpoint_max)
    keep_checkpoint_every_n_hours = property(lambda self: self._keep_checkpoint_every_n_hours)
    log_step_count_steps = property(lambda self: self._log_step_count_steps)

    def replace(self, **changes) -> RunConfig:
        """A copy with some settings changed (same rules as tf.estimator.RunConfig.replace)."""
        for key in changes:
            if key not in _REPLACEABLE:
                raise ValueError(f"Replacing {key} is not supported. Allowed properties are "
                                 f"{sorted(_REPLACEABLE)}.")
        new = copy.deepcopy(self)
        for key, value in changes.items():
            setattr(new, f"_{key}", value)
        steps, secs = new.save_checkpoints_steps, new.save_checkpoints_secs
        if "save_checkpoints_steps" in changes and "save_checkpoints_secs" in changes:
            if steps is not None and secs is not None:
                raise ValueError(_BOTH_SAVE_SETTINGS)
        elif "save_checkpoints_steps" in changes and steps is not None:
            new._save_checkpoints_secs = None
        elif "save_checkpoints_secs" in changes and secs is not None:
            new._save_checkpoints_steps = None
        return new

    def __repr__(self) -> str:
        settings = ", ".join(f"{key}={getattr(self, key)!r}" for key in _REPLACEABLE
                             if key != "session_config")
        return f"RunConfig({settings})"


class WarmStartSettings(collections.namedtuple("WarmStartSettings", [
        "ckpt_to_initialize_from", "vars_to_warm_start", "var_name_to_vocab_info",
        "var_name_to_prev_var_name"])):
    """Initialise variables from another checkpoint when model_dir has none."""

    def __new__(cls, ckpt_to_initialize_from, vars_to_warm_start=".*",
                var_name_to_vocab_info=None, var_name_to_prev_var_name=None):
        if not ckpt_to_initialize_from:
            raise ValueError("`ckpt_to_initialize_from` MUST be set in WarmStartSettings")
        return super().__new__(cls, os.fspath(ckpt_to_initialize_from), vars_to_warm_start,
                               var_name_to_vocab_info or {},
                               var_name_to_prev_var_name or {})


def warm_start_settings(warm_start_from: Any) -> WarmStartSettings | None:
    """None, a path, or a WarmStartSettings -> WarmStartSettings or None."""
    if warm_start_from is None:
        return None
    if isinstance(warm_start_from, str | bytes | os.PathLike):
        return WarmStartSettings(os.fsdecode(warm_start_from))
    if isinstance(warm_start_from, WarmStartSettings):
        return warm_start_from
    raise ValueError("warm_start_from must be a string or a WarmStartSettings, "
                     f"instead got {type(warm_start_from)}")
