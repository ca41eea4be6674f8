"""An Estimator-compatible lifecycle engine on tf.compat.v1 (tf.estimator is gone in TF 2.16+).

Names are imported lazily, so `import ckptlab.estimator.shim` can set TF_USE_LEGACY_KERAS
before TensorFlow is first imported.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {
    "Estimator": "ckptlab.estimator.estimator:Estimator",
    "EstimatorSpec": "ckptlab.estimator.spec:EstimatorSpec",
    "ModeKeys": "ckptlab.estimator.spec:ModeKeys",
    "RunConfig": "ckptlab.estimator.config:RunConfig",
    "WarmStartSettings": "ckptlab.estimator.config:WarmStartSettings",
    "install_estimator_shim": "ckptlab.estimator.legacy:install_estimator_shim",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'ckptlab.estimator' has no attribute {name!r}")
    module_name, _, attribute = target.partition(":")
    value = getattr(import_module(module_name), attribute)
    globals()[name] = value
    return value
