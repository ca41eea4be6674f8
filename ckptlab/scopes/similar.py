"""Why two variable names that differ may still mean the same variable ("did you mean").

Three reasons are recognised: an extra or missing scope prefix ('outer/dense/kernel' vs
'dense/kernel'), auto-numbering that shifted ('dense_1/kernel' vs 'dense_2/kernel',
because layers were created in another order), and a renamed layer (every variable of
one missing layer has the shape of the same variable of exactly one unused layer).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ckptlab.scopes.names import (
    layer_of,
    object_path,
    split_auto_number,
    split_scope,
    strip_auto_numbers,
    strip_output_suffix,
)

__all__ = ["RENAME_AUTO_NUMBER", "RENAME_LAYER", "RENAME_SCOPE_PREFIX", "Rename",
           "rename_reason", "suggest_layer_renames", "suggest_renames"]

RENAME_SCOPE_PREFIX = "scope_prefix"
RENAME_AUTO_NUMBER = "auto_number"
RENAME_LAYER = "renamed_layer"


@dataclass(frozen=True)
class Rename:
    wanted: str  # the name the model asks for
    found: str  # the checkpoint name that probably holds it
    reason: str  # RENAME_SCOPE_PREFIX or RENAME_AUTO_NUMBER
    detail: str  # e.g. "the checkpoint has the extra scope 'outer/'"


def _parts(name: str) -> list[str]:
    return split_scope(object_path(strip_output_suffix(name)))


def rename_reason(wanted: str, found: str) -> Rename | None:
    """How `found` relates to `wanted`, or None when they look unrelated."""
    a, b = _parts(wanted), _parts(found)
    if a == b or not a or not b:
        return None
    if len(a) < len(b) and b[len(b) - len(a):] == a:
        prefix = "/".join(b[: len(b) - len(a)]) + "/"
        return Rename(wanted, found, RENAME_SCOPE_PREFIX,
                      f"the checkpoint name has the extra scope prefix '{prefix}'")
    if len(b) < len(a) and a[len(a) - len(b):] == b:
        prefix = "/".join(a[: len(a) - len(b)]) + "/"
        return Rename(wanted, found, RENAME_SCOPE_PREFIX,
                      f"the model's name has the extra scope prefix '{prefix}'")
    if len(a) == len(b) and strip_auto_numbers("/".join(a)) == strip_auto_numbers("/".join(b)):
        changed = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
        shown = ", ".join(f"'{x}' vs '{y}'" for x, y in changed)
        return Rename(wanted, found, RENAME_AUTO_NUMBER,
                      f"auto-numbered names shifted ({shown}): layers were probably "
                      "created in a different order or a different number of times")
    return None


def suggest_renames(missing: Iterable[str], unused: Iterable[str]) -> list[Rename]:
    """Pair each missing name with at most one unused name, preferring prefix matches.

    An auto-number pairing is only suggested when it is unique (one candidate), because
    shifted numbers are easy to pair wrongly.
    """
    unused = list(unused)
    taken: set[str] = set()
    suggestions: list[Rename] = []
    for wanted in missing:
        options = [r for r in (rename_reason(wanted, u) for u in unused if u not in taken) if r]
        prefix = [r for r in options if r.reason == RENAME_SCOPE_PREFIX]
        numbered = [r for r in options if r.reason == RENAME_AUTO_NUMBER]
        choice = prefix[0] if len(prefix) == 1 else (numbered[0] if len(numbered) == 1 else None)
        if choice is None and numbered:
            # several shifted candidates: prefer the one whose numbers are closest
            numbered.sort(key=lambda r: _number_distance(r.wanted, r.found))
            choice = numbered[0]
        if choice:
            taken.add(choice.found)
            suggestions.append(choice)
    return suggestions


def _number_distance(a: str, b: str) -> int:
    return sum(abs(split_auto_number(x)[1] - split_auto_number(y)[1])
               for x, y in zip(_parts(a), _parts(b), strict=False))


Shaped = tuple[str, tuple[int, ...]]  # (variable name, shape)


def _layers(items: Iterable[Shaped]) -> dict[str, list[Shaped]]:
    grouped: dict[str, list[Shaped]] = {}
    for name, shape in items:
        grouped.setdefault(layer_of(name), []).append((name, tuple(shape)))
    return grouped


def suggest_layer_renames(missing: Iterable[Shaped], unused: Iterable[Shaped]) -> list[Rename]:
    """Pair a layer whose variables are all missing with the one unused layer whose
    variables have the same shapes in the same order (a renamed attribute or layer)."""
    wanted_layers, found_layers = _layers(missing), _layers(unused)
    suggestions: list[Rename] = []
    for layer, wanted in wanted_layers.items():
        shapes = [shape for _, shape in wanted]
        same = [name for name, found in found_layers.items()
                if name != layer and [shape for _, shape in found] == shapes]
        if len(same) != 1 or not layer:
            continue
        found = found_layers.pop(same[0])
        detail = (f"the checkpoint's layer '{same[0]}' has the same variables "
                  f"({len(shapes)}, same shapes) as your layer '{layer}': it was probably "
                  "renamed")
        suggestions += [Rename(w, f, RENAME_LAYER, detail)
                        for (w, _), (f, _) in zip(wanted, found, strict=True)]
    return suggestions
