"""An Estimator-compatible lifecycle engine on tf.compat.v1 (tf.estimator is gone in TF 2.16+).

Names are imported lazily, so `import ckptlab.estimator.shim` can set TF_USE_LEGACY_KERAS
before TensorFlow is first imported.
"""

from __future__ import annotations

from ckptlab._lazy import lazy_getattr

_LAZY = {
    "Estimator": "ckptlab.estimator.estimator:Estimator",
    "EstimatorSpec": "ckptlab.estimator.spec:EstimatorSpec",
    "ModeKeys": "ckptlab.estimator.spec:ModeKeys",
    "RunConfig": "ckptlab.estimator.config:RunConfig",
    "WarmStartSettings": "ckptlab.estimator.config:WarmStartSettings",
    "install_estimator_shim": "ckptlab.estimator.legacy:install_estimator_shim",
}

__all__ = sorted(_LAZY)


__getattr__ = lazy_getattr("ckptlab.estimator", globals(), _LAZY)
