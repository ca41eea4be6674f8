"""Module attributes imported on first use (PEP 562), so importing a package stays cheap."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def lazy_getattr(package: str, namespace: dict[str, Any],
                 table: dict[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` resolving `table` ("name": "module:attribute") on first use."""

    def __getattr__(name: str) -> Any:
        target = table.get(name)
        if target is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module_name, _, attribute = target.partition(":")
        value = getattr(import_module(module_name), attribute)
        namespace[name] = value  # later look-ups skip __getattr__
        return value

    return __getattr__
