"""The TF2 `tf.estimator` namespace (tf.estimator, tf.compat.v2.estimator) of the shim.

The same names as the TF1 one (api.py) except, as in tf.estimator 2.15: no `inputs`
(numpy_input_fn and pandas_input_fn are TF1 only) and an Estimator without
export_savedmodel.
"""

from __future__ import annotations

from ckptlab.estimator import api as _v1_api
from ckptlab.estimator.estimator import EstimatorV2

__all__ = [name for name in _v1_api.__all__ if name != "inputs"]

globals().update({name: getattr(_v1_api, name) for name in __all__})
Estimator = EstimatorV2
