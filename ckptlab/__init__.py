"""ckptlab: learn TensorFlow checkpointing in Jupyter.

Importing ckptlab is cheap: TensorFlow, plotly and ipywidgets are imported only when a
name that needs them is first used.
"""

from __future__ import annotations

from ckptlab._lazy import lazy_getattr
from ckptlab._version import __version__
from ckptlab.errors import CkptlabError

# public name -> "module:attribute", imported on first use
_LAZY: dict[str, str] = {
    "inspect_checkpoint": "ckptlab.checkpoint:inspect_checkpoint",
    "diff_checkpoints": "ckptlab.checkpoint:diff_checkpoints",
    "match_restore": "ckptlab.trace.restore_target:match_restore",
    "CheckpointExplorer": "ckptlab.widgets.checkpoint_explorer:CheckpointExplorer",
    "trace_modes": "ckptlab.trace.modes:trace_modes",
    "LifecycleTimeline": "ckptlab.widgets.lifecycle:LifecycleTimeline",
    "ModeExplorer": "ckptlab.widgets.modes:ModeExplorer",
    "ScopeExplorer": "ckptlab.widgets.scopes:ScopeExplorer",
    "CheckReport": "ckptlab.widgets.check_report:CheckReport",
    "Hints": "ckptlab.widgets.hints:Hints",
    "check": "ckptlab.checker.api:check",
    "Estimator": "ckptlab.estimator.estimator:Estimator",
    "EstimatorSpec": "ckptlab.estimator.spec:EstimatorSpec",
    "ModeKeys": "ckptlab.estimator.spec:ModeKeys",
    "RunConfig": "ckptlab.estimator.config:RunConfig",
    "install_estimator_shim": "ckptlab.estimator.legacy:install_estimator_shim",
    "import_tensorflow": "ckptlab.quiet:import_tensorflow",
    "claim": "ckptlab.claims:claim",
}

__all__ = ["CkptlabError", "__version__", *_LAZY]


__getattr__ = lazy_getattr("ckptlab", globals(), _LAZY)


def __dir__() -> list[str]:
    return sorted(__all__)
