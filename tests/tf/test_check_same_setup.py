"""Every check sets up its process the same way: notebook or `ckptlab check` (issue 11).

Before, only the CLI child seeded the random generators, so the same code gave other
evidence in a notebook. Now checker/runners/tracks.py's `seeded()` seeds every run, in
the warm worker's stage processes and in the in-kernel fallback (run_track) alike, and
gives the caller's random state back.
"""

from __future__ import annotations

import random
import re

import numpy as np

import ckptlab

SEEDED_FIRST_DRAW = f"{np.random.RandomState(0).random_sample():.6f}"  # np.random.seed(0)


# as a notebook defines them (module __main__), so they travel to the worker by value
LEARNER_CELL = """
import numpy as np

def build_model():
    # the learner's code shows what it drew: the evidence must not depend on the run
    raise ValueError(f"drew {np.random.random():.6f}")

def save(model, optimizer, directory):
    raise AssertionError("never reached")

def restore(directory):
    raise AssertionError("never reached")
"""


# a cell whose build_model holds a lock: it cannot be pickled, so the check runs in a
# thread of the kernel (the fallback) instead of the worker
UNSENDABLE_CELL = LEARNER_CELL.replace("def build_model():", """import threading
lock = threading.Lock()

def build_model():
    assert lock is not None""")


def _learner_functions(cell: str = LEARNER_CELL) -> dict:
    namespace = {"__name__": "__main__"}
    exec(compile(cell, "<cell>", "exec"), namespace)
    return {name: namespace[name] for name in ("build_model", "save", "restore")}


def _drawn(report) -> str:
    found = re.search(r"drew (\d\.\d{6})", str(report))
    assert found, str(report)
    return found.group(1)


def test_every_check_is_seeded_and_the_kernel_keeps_its_random_state():
    np.random.seed(123)
    random.seed(123)
    expected = (np.random.random(), random.random())
    np.random.seed(123)
    random.seed(123)
    first = ckptlab.check(**_learner_functions())
    second = ckptlab.check(**_learner_functions())
    assert _drawn(first) == _drawn(second) == SEEDED_FIRST_DRAW
    # the learner's own generators continue as if no check had run
    assert (np.random.random(), random.random()) == expected


def test_a_check_run_in_the_kernel_is_seeded_the_same_way():
    np.random.seed(123)
    expected = np.random.random()
    np.random.seed(123)
    report = ckptlab.check(**_learner_functions(UNSENDABLE_CELL))
    assert any("ran in this kernel" in note for note in report.notes), report.notes
    assert _drawn(report) == SEEDED_FIRST_DRAW
    assert np.random.random() == expected  # the kernel's generator was given back
