"""Name shifts the mode tracer saw, and what they explain (no diagnoser here).

A shift is (mode, name in TRAIN, name in that mode) for one line of code. When only an
auto-number differs (dense_1 -> dense_2), a layer built in one mode only moved the names
of the layers after it: NAME_DRIFT. Both the structure diagnosers (estimator.py) and the
exceptions diagnoser (a 'Key x not found in checkpoint') ask this module.
"""

from __future__ import annotations

from ckptlab.checker.observations import Observations
from ckptlab.mode_names import TRAIN, label
from ckptlab.scopes.names import strip_auto_numbers

__all__ = ["auto_numbered_shifts", "explained_by_shift", "name_drift_fix"]


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


def _extra_layer_mode(obs: Observations) -> tuple[str, int] | None:
    """(a mode, how many more variables it builds than TRAIN): a layer only that mode
    makes, which shifted the names and which no training ever saves."""
    modes = obs.estimator.modes if obs.estimator else None
    trained = len(modes.variables.get(TRAIN, {})) if modes else 0
    for mode, variables in (modes.variables.items() if modes and trained else ()):
        if mode != TRAIN and len(variables) > trained:
            return mode, len(variables) - trained
    return None


def name_drift_fix(obs: Observations) -> str:
    """NAME_DRIFT's fix for this code: names alone do not help a layer that only another
    mode builds (it is never trained, so its own variables are missing next)."""
    fix = ("Give every layer an explicit name (tf.layers.dense(..., name='hidden')) so that a "
           "layer built in one mode only cannot shift the others' names")
    extra = _extra_layer_mode(obs)
    if extra is None:
        return fix + "."
    return (f"{fix}; and build that layer in every mode: {label(extra[0])} makes more "
            "variables than TRAIN, and no checkpoint holds those. Call it before "
            "branching on mode, so that training creates and saves its variables.")
