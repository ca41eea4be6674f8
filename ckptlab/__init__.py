"""ckptlab: learn TensorFlow checkpointing in Jupyter.

Importing ckptlab is cheap: TensorFlow, plotly and ipywidgets are imported only when a
name that needs them is first used.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from ckptlab._version import __version__
from ckptlab.errors import CkptlabError

# public name -> "module:attribute", imported on first use
_LAZY: dict[str, str] = {}

__all__ = ["CkptlabError", "__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'ckptlab' has no attribute {name!r}")
    module_name, _, attribute = target.partition(":")
    value = getattr(import_module(module_name), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
