"""One variable through training: a summary of its values in every checkpoint of a run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ckptlab.checkpoint.records import CheckpointIndex
from ckptlab.checkpoint.values import read_value

__all__ = ["VariablePoint", "variable_history"]


@dataclass(frozen=True)
class VariablePoint:
    step: int | None
    checkpoint: str  # the prefix
    mean: float
    std: float
    norm: float  # L2 norm of all values


def variable_history(indexes: Iterable[CheckpointIndex], key: str) -> tuple[VariablePoint, ...]:
    """Mean, std and norm of `key` in each checkpoint that holds it as numbers (in order)."""
    points = []
    for index in indexes:
        if key not in index:
            continue
        value = read_value(index, key)
        if value.dtype.kind not in "biuf" or value.size == 0:
            continue
        numbers = value.astype(np.float64)
        points.append(VariablePoint(index.step, index.path, float(numbers.mean()),
                                    float(numbers.std()), float(np.linalg.norm(numbers))))
    return tuple(points)
