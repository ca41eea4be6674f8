"""tf.estimator.add_metrics: a new Estimator whose EVAL spec has more metrics."""

from __future__ import annotations

from ckptlab.estimator.estimator import Estimator
from ckptlab.estimator.spec import ModeKeys
from ckptlab.tf_private import function_utils

__all__ = ["add_metrics"]

_METRIC_FN_ARGS = ("features", "labels", "predictions", "config")


def add_metrics(estimator, metric_fn):
    """metric_fn(features, labels, predictions, config: any subset) -> {name: metric}."""
    args = set(function_utils.fn_args(metric_fn))
    unexpected = list(args - set(_METRIC_FN_ARGS))
    if unexpected:
        raise ValueError(f"metric_fn ({metric_fn}) has following not expected args: "
                         f"{unexpected}")

    def new_model_fn(features, labels, mode, config):
        spec = estimator.model_fn(features, labels, mode, config)
        if mode != ModeKeys.EVAL:
            return spec
        given = {"features": features, "labels": labels, "predictions": spec.predictions,
                 "config": config}
        metrics = dict(spec.eval_metric_ops or {})
        metrics.update(metric_fn(**{key: given[key] for key in _METRIC_FN_ARGS
                                    if key in args}))
        return spec._replace(eval_metric_ops=metrics)

    return Estimator(model_fn=new_model_fn, model_dir=estimator.model_dir,
                     config=estimator.config, warm_start_from=estimator._warm_start_settings)
