"""`RunConfig` (checkpoint, summary and logging cadence) and `WarmStartSettings`.

Defaults and rules are tf.estimator 2.15's: with neither save setting given, a checkpoint
every 600 seconds; setting one switches the other off; setting both is an error.
"""

from __future__ import annotations

import collections
import copy
import json
import os
from typing import Any

import tensorflow as tf

from ckptlab.tf_private import function_utils, rewriter_config_pb2

__all__ = ["RunConfig", "TaskType", "WarmStartSettings", "default_session_config"]

_USE_DEFAULT = object()
_BOTH_SAVE_SETTINGS = (
    "`save_checkpoints_steps` and `save_checkpoints_secs` cannot be both set.")
_REPLACEABLE = ("model_dir", "tf_random_seed", "save_summary_steps", "save_checkpoints_steps",
                "save_checkpoints_secs", "session_config", "keep_checkpoint_max",
                "keep_checkpoint_every_n_hours", "log_step_count_steps", "train_distribute",
                "device_fn", "protocol", "eval_distribute", "experimental_distribute",
                "experimental_max_worker_delay_secs", "session_creation_timeout_secs",
                "checkpoint_save_graph_def")
_SHOWN = (*_REPLACEABLE[:9], "device_fn", "session_creation_timeout_secs",
          "checkpoint_save_graph_def")


class TaskType:
    """The task names of a tf.estimator cluster (TF_CONFIG); the engine runs one machine."""

    MASTER, PS, WORKER, CHIEF, EVALUATOR = "master", "ps", "worker", "chief", "evaluator"


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


def _at_least(minimum: int, strict: bool = False):
    return lambda value: value > minimum if strict else value >= minimum


# property -> (condition on a value that is not None, ValueError message), as in 2.15
_CHECKS = (
    ("model_dir", bool, "model_dir should be non-empty"),
    ("save_summary_steps", _at_least(0), "save_summary_steps should be >= 0"),
    ("save_checkpoints_steps", _at_least(0), "save_checkpoints_steps should be >= 0"),
    ("save_checkpoints_secs", _at_least(0), "save_checkpoints_secs should be >= 0"),
    ("session_config", lambda value: isinstance(value, tf.compat.v1.ConfigProto),
     "session_config must be instance of ConfigProto"),
    ("keep_checkpoint_max", _at_least(0), "keep_checkpoint_max should be >= 0"),
    ("keep_checkpoint_every_n_hours", _at_least(0, strict=True),
     "keep_checkpoint_every_n_hours should be > 0"),
    ("log_step_count_steps", _at_least(0, strict=True), "log_step_count_steps should be > 0"),
    ("tf_random_seed", lambda seed: isinstance(seed, int), "tf_random_seed must be integer."),
    ("experimental_max_worker_delay_secs", lambda delay: isinstance(delay, int),
     "experimental_max_worker_delay_secs must be an integer if set."),
    ("session_creation_timeout_secs", _at_least(0, strict=True),
     "session_creation_timeout_secs should be > 0"),
    ("device_fn", lambda fn: callable(fn) and set(function_utils.fn_args(fn)) == {"op"},
     'device_fn must be callable with exactly one argument "op".'),
    ("protocol", lambda protocol: protocol in (None, "grpc", "grpc+verbs"),
     "protocol should be grpc or grpc+verbs"),
)


class RunConfig:
    """Where and how often an Estimator saves; read-only properties like tf.estimator's.

    One machine only: the cluster properties have their local values (no TF_CONFIG);
    the distribution arguments are kept but not used.
    """

    def __init__(self, model_dir=None, tf_random_seed=None, save_summary_steps=100,
                 save_checkpoints_steps=_USE_DEFAULT, save_checkpoints_secs=_USE_DEFAULT,
                 session_config=None, keep_checkpoint_max=5,
                 keep_checkpoint_every_n_hours=10000, log_step_count_steps=100,
                 train_distribute=None, device_fn=None, protocol=None, eval_distribute=None,
                 experimental_distribute=None, experimental_max_worker_delay_secs=None,
                 session_creation_timeout_secs=7200, checkpoint_save_graph_def=True):
        if save_checkpoints_steps is _USE_DEFAULT and save_checkpoints_secs is _USE_DEFAULT:
            save_checkpoints_steps, save_checkpoints_secs = None, 600
        elif save_checkpoints_secs is _USE_DEFAULT:
            save_checkpoints_secs = None
        elif save_checkpoints_steps is _USE_DEFAULT:
            save_checkpoints_steps = None
        elif save_checkpoints_steps is not None and save_checkpoints_secs is not None:
            raise ValueError(_BOTH_SAVE_SETTINGS)
        if model_dir == "":
            raise ValueError("model_dir should be non-empty.")
        settings = dict(locals())
        for key in _REPLACEABLE:
            setattr(self, f"_{key}", settings[key])
        if model_dir is not None:
            self._model_dir = os.fspath(model_dir)
        _check(self)
        _warn_if_cluster()

    model_dir = property(lambda self: self._model_dir)
    tf_random_seed = property(lambda self: self._tf_random_seed)
    save_summary_steps = property(lambda self: self._save_summary_steps)
    save_checkpoints_steps = property(lambda self: self._save_checkpoints_steps)
    save_checkpoints_secs = property(lambda self: self._save_checkpoints_secs)
    session_config = property(lambda self: self._session_config)
    keep_checkpoint_max = property(lambda self: self._keep_checkpoint_max)
    keep_checkpoint_every_n_hours = property(lambda self: self._keep_checkpoint_every_n_hours)
    log_step_count_steps = property(lambda self: self._log_step_count_steps)
    train_distribute = property(lambda self: self._train_distribute)
    eval_distribute = property(lambda self: self._eval_distribute)
    experimental_distribute = property(lambda self: self._experimental_distribute)
    device_fn = property(lambda self: self._device_fn)
    protocol = property(lambda self: self._protocol)
    experimental_max_worker_delay_secs = property(
        lambda self: self._experimental_max_worker_delay_secs)
    session_creation_timeout_secs = property(lambda self: self._session_creation_timeout_secs)
    checkpoint_save_graph_def = property(lambda self: self._checkpoint_save_graph_def)
    # one machine: the values tf.estimator gives when TF_CONFIG is not set
    cluster_spec = property(lambda self: tf.train.ClusterSpec({}))
    task_type = property(lambda self: TaskType.WORKER)
    task_id = property(lambda self: 0)
    global_id_in_cluster = property(lambda self: 0)
    master = property(lambda self: "")
    evaluation_master = property(lambda self: "")
    is_chief = property(lambda self: True)
    num_ps_replicas = property(lambda self: 0)
    num_worker_replicas = property(lambda self: 1)
    service = property(lambda self: None)

    def replace(self, **changes) -> RunConfig:
        """A copy with some settings changed (same rules as tf.estimator.RunConfig.replace)."""
        new = copy.deepcopy(self)
        for key, value in changes.items():
            if key not in _REPLACEABLE:
                raise ValueError(f"Replacing {key} is not supported. Allowed properties are "
                                 f"{list(_REPLACEABLE)}.")
            setattr(new, f"_{key}", value)
        steps, secs = new.save_checkpoints_steps, new.save_checkpoints_secs
        if "save_checkpoints_steps" in changes and "save_checkpoints_secs" in changes:
            if steps is not None and secs is not None:
                raise ValueError(_BOTH_SAVE_SETTINGS)
        elif "save_checkpoints_steps" in changes and steps is not None:
            new._save_checkpoints_secs = None
        elif "save_checkpoints_secs" in changes and secs is not None:
            new._save_checkpoints_steps = None
        _check(new)
        return new

    def __repr__(self) -> str:
        settings = ", ".join(f"{key}={getattr(self, key)!r}" for key in _SHOWN
                             if key != "session_config")
        return f"RunConfig({settings})"


def _warn_if_cluster() -> None:
    """A TF_CONFIG that describes a cluster is not followed: say so, once per process."""
    global _CLUSTER_WARNED
    try:
        cluster = json.loads(os.environ.get("TF_CONFIG") or "{}").get("cluster")
    except (ValueError, AttributeError):
        cluster = None
    if cluster and not _CLUSTER_WARNED:
        _CLUSTER_WARNED = True
        tf.compat.v1.logging.warning(
            "TF_CONFIG describes a cluster, but ckptlab's Estimator engine runs on one "
            "machine: this process trains, evaluates and saves as the only (chief) worker. "
            "Distributed training needs the real tf.estimator (TensorFlow <= 2.15).")


_CLUSTER_WARNED = False


def _check(config: RunConfig) -> None:
    for name, condition, message in _CHECKS:
        value = getattr(config, name)
        if value is not None and not condition(value):
            raise ValueError(message)


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
        path = os.fsdecode(warm_start_from)
        variables = os.path.join(path, "variables", "variables")
        if tf.io.gfile.exists(variables + ".index"):  # a SavedModel export directory
            tf.compat.v1.logging.info("Warm-starting from a SavedModel")
            return WarmStartSettings(ckpt_to_initialize_from=variables)
        return WarmStartSettings(path)
    if isinstance(warm_start_from, WarmStartSettings):
        return warm_start_from
    raise ValueError("warm_start_from must be a string or a WarmStartSettings, "
                     f"instead got {type(warm_start_from)}")
