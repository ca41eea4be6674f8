"""The exercise checker: run learner code through save/restore round trips and explain.

`ckptlab.check(...)` is `ckptlab.checker.api.check`. Layout: `runners/` run learner code
(in the sandboxed child) and record observations; `assemble`, `explain/`, `codes` and
`findings` turn them into a report; `sandbox` and `grade` run submissions in processes.
"""

from __future__ import annotations

from ckptlab._lazy import lazy_getattr

__all__ = ["check"]

__getattr__ = lazy_getattr("ckptlab.checker", globals(), {"check": "ckptlab.checker.api:check"})
