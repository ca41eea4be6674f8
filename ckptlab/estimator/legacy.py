"""Make legacy `tf.estimator` code (TF <= 2.15) run on TF 2.16+ with ckptlab's engine.

    import ckptlab
    ckptlab.install_estimator_shim()      # first, before TensorFlow is imported
    import tensorflow.compat.v1 as tf     # the learner's code, unchanged
    tf.estimator.Estimator(...)           # -> ckptlab.estimator.Estimator

`import ckptlab.estimator.shim` does the same. The shim sets TF_USE_LEGACY_KERAS=1 so
`tf.compat.v1.layers` works (through tf_keras), then points `tf.estimator`,
`tf.compat.v1.estimator` and `tf.compat.v2.estimator` at ckptlab's engine: the TF1 API
(ckptlab.estimator.api) under compat.v1, the TF2 API (api_v2) under tf and compat.v2.
"""

from __future__ import annotations

import importlib
import os
import sys

from ckptlab.errors import SetupError
from ckptlab.quiet import import_tensorflow

__all__ = ["install_estimator_shim"]

_NAMESPACES = ("tensorflow", "tensorflow.compat.v1", "tensorflow.compat.v2")


def _legacy_layers_work() -> bool:
    tf = importlib.import_module("tensorflow")
    try:
        tf.compat.v1.layers.dense  # noqa: B018 - resolving it is the check
    except AttributeError:
        return False
    return True


def _use_legacy_keras() -> None:
    """Set TF_USE_LEGACY_KERAS=1; fail clearly if TensorFlow already chose Keras 3 layers.

    Measured on TF 2.21: importing TensorFlow first is fine as long as nothing touched
    tf.compat.v1.layers yet; once it was resolved under Keras 3 it stays broken.
    """
    already_imported = "tensorflow" in sys.modules
    if os.environ.get("TF_USE_LEGACY_KERAS") in ("1", "true", "True"):
        return
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    if already_imported and not _legacy_layers_work():
        raise SetupError(
            "TensorFlow was imported without TF_USE_LEGACY_KERAS=1 and tf.compat.v1.layers "
            "was already loaded with Keras 3, so tf.layers.dense and friends cannot work in "
            "this process.",
            why="tf.compat.v1.layers needs the legacy Keras (tf_keras); TensorFlow binds it "
                "the first time tf.compat.v1.layers is used.",
            fix="Restart the kernel (or Python) and call ckptlab.install_estimator_shim() "
                "before anything imports TensorFlow; or set TF_USE_LEGACY_KERAS=1 in the "
                "environment before starting Python.",
            received="TF_USE_LEGACY_KERAS was not set when TensorFlow was imported")


def install_estimator_shim() -> None:
    """Route `tf.estimator` (and tf.compat.v1/v2.estimator) to ckptlab's engine.

    Raises SetupError when tf.compat.v1.layers was already bound to Keras 3 (TensorFlow
    imported and the layers used before, without TF_USE_LEGACY_KERAS=1).
    """
    _use_legacy_keras()
    import_tensorflow()  # without its start-up chatter, once TF_USE_LEGACY_KERAS is set
    try:
        importlib.import_module("tf_keras")
    except ImportError as error:
        raise SetupError("tf.compat.v1.layers needs the tf_keras package.",
                         fix="pip install tf_keras (the version matching TensorFlow).",
                         received=str(error)) from None
    v1 = importlib.import_module("ckptlab.estimator.api")
    v2 = importlib.import_module("ckptlab.estimator.api_v2")
    for name in _NAMESPACES:  # import first: a later `import tensorflow.compat.v1` reuses it
        importlib.import_module(name)
    for name, module in list(sys.modules.items()):
        if name.startswith("tensorflow.") and name.endswith(".compat.v1"):
            module.estimator = v1
        elif name == "tensorflow" or (name.startswith("tensorflow.")
                                      and name.endswith(".compat.v2")):
            module.estimator = v2
    tf = sys.modules["tensorflow"]
    tf.compat.v1.estimator = v1
    tf.compat.v2.estimator = v2
