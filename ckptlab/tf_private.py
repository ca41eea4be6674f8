"""Every private TensorFlow name ckptlab uses, in one list, imported on first use.

ckptlab's engine and tracers need a few modules and functions outside TensorFlow's
public API (tf.estimator's own code used them too). They can move in any release, so
they are named here once: `from ckptlab.tf_private import evaluation` instead of
`from tensorflow.python.training import evaluation`, and tests/tf/test_tf_private.py
resolves every module, every attribute in USED and every method in METHODS.
Nothing is imported until a name is used (importing this module is free).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["METHODS", "MODULES", "PARITY_ONLY", "USED"]

# alias -> private module
MODULES: dict[str, str] = {
    "deprecation": "tensorflow.python.util.deprecation",
    "evaluation": "tensorflow.python.training.evaluation",
    "export_output": "tensorflow.python.saved_model.model_utils.export_output",
    "export_utils": "tensorflow.python.saved_model.model_utils.export_utils",
    "function_utils": "tensorflow.python.util.function_utils",
    "graph_view": "tensorflow.python.checkpoint.graph_view",
    "meta_graph": "tensorflow.python.framework.meta_graph",
    "rewriter_config_pb2": "tensorflow.core.protobuf.rewriter_config_pb2",
    "saver_lib": "tensorflow.python.training.saver",
    "summary_pb2": "tensorflow.core.framework.summary_pb2",
    "tensor_types": "tensorflow.__internal__.types",  # tf.__internal__.types
    "tf_checkpoint": "tensorflow.python.checkpoint.checkpoint",
    "tf_decorator": "tensorflow.python.util.tf_decorator",
    "training_util": "tensorflow.python.training.training_util",
    "tf_logging": "tensorflow.python.platform.tf_logging",
    # the real tf.estimator, present only with TensorFlow <= 2.15 (the parity environment)
    "estimator_lib": "tensorflow_estimator.python.estimator.estimator",
}
PARITY_ONLY = ("estimator_lib",)

# alias -> the attributes ckptlab reads from it (private ones start with "_")
USED: dict[str, tuple[str, ...]] = {
    # (_PRINTED_WARNING, _log_counter_per_token: what TensorFlow says once per process)
    "deprecation": ("hide_attribute_from_api", "_PRINTED_WARNING"),
    "evaluation": ("_StopAfterNEvalsHook", "_evaluate_once", "_get_or_create_eval_step"),
    "export_output": ("ClassificationOutput", "EvalOutput", "ExportOutput", "PredictOutput",
                      "RegressionOutput"),
    "export_utils": ("EXPORT_TAG_MAP", "build_all_signature_defs", "export_outputs_for_mode",
                     "get_export_outputs", "get_temp_export_dir", "get_timestamped_export_dir"),
    "function_utils": ("fn_args",),
    "graph_view": ("ObjectGraphView",),
    "meta_graph": ("create_meta_graph_def",),
    "rewriter_config_pb2": ("RewriterConfig",),
    "saver_lib": ("_get_saver_or_default",),
    "summary_pb2": ("Summary",),
    "tensor_types": ("Tensor",),
    "tf_checkpoint": ("Checkpoint", "_NameBasedRestoreCoordinator"),
    "tf_decorator": ("make_decorator",),
    "training_util": ("_get_or_create_global_step_read",),
    "tf_logging": ("_log_counter_per_token",),
    "estimator_lib": ("Estimator",),
}

# private methods called on TensorFlow/Keras objects: (class "module:Name", method)
METHODS: tuple[tuple[str, str], ...] = (
    ("tensorflow.python.trackable.base:Trackable", "_trackable_children"),
    ("keras.layers:Layer", "_flatten_layers"),  # Keras 3, and Keras 2 under TF 2.15
    ("tensorflow.python.saved_model.builder_impl:SavedModelBuilder", "_add_train_op"),
)


def __getattr__(name: str) -> Any:
    module = MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'ckptlab.tf_private' has no attribute {name!r}")
    value = import_module(module)
    globals()[name] = value
    return value
