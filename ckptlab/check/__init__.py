"""The exercise checker: run learner code through save/restore round trips and explain.

`ckptlab.check(...)` is this package, made callable (see api.check): the subpackage and
the function share the name, so calling the module calls the function.
"""

from __future__ import annotations

import sys
import types
from typing import Any

__all__ = ["check"]


def check(*args: Any, **kwargs: Any) -> Any:
    from ckptlab.check.api import check as run

    return run(*args, **kwargs)


check.__doc__ = "Check learner code; see ckptlab.check.api.check."


class _CallableModule(types.ModuleType):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return check(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
