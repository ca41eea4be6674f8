"""Name shifts the mode tracer saw, and what they explain (no diagnoser here).

A shift is (mode, name in TRAIN, name in that mode) for one line of code. When only an
auto-number differs (dense_1 -> dense_2), a layer built in one mode only moved the names
of the layers after it: NAME_DRIFT. Both the structure diagnosers (estimator.py) and the
exceptions diagnoser (a 'Key x not found in checkpoint') ask this module.
"""

from __future__ import annotations

from ckptlab.checker.observations import Observations
from ckptlab.scopes.names import strip_auto_numbers

__all__ = ["auto_numbered_shifts", "explained_by_shift"]


def auto_numbered_shifts(obs: Observations) -> list[tuple[str, str, str]]:
    """Name shifts the tracer saw that only an auto-number explains (dense_1 -> dense_2);
    a scope named after the mode is another cause (a variable that exists in one mode)."""
    modes = obs.estimator.modes if obs.estimator else None
    return [shift for shift in (modes.shifted if modes else ())
            if strip_auto_numbers(shift[1]) == strip_auto_numbers(shift[2])]


def explained_by_shift(obs: Observations, name: str) -> bool:
    """The variable `name` of another mode is one an auto-numbered shift renamed: its
    absence from the checkpoint follows from NAME_DRIFT, it is no mistake of its own."""
    return any(name == after or name.startswith(f"{after}/")
               for _, _, after in auto_numbered_shifts(obs))
