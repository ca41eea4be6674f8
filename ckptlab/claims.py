"""`claim`: a statement a tutorial makes, checked on the learner's machine, shown as a line.

    ckptlab.claim(f"{calls} calls of model_fn, {graphs} different graphs", calls == graphs == 4)
    ✓ 4 calls of model_fn, 4 different graphs

When the statement does not hold, the line starts with ✗ and an AssertionError says that
this machine behaved differently from what the tutorial teaches, so a run top to bottom
(the test suite's too) still stops there.
"""

from __future__ import annotations

__all__ = ["ClaimFailed", "claim"]


class ClaimFailed(AssertionError):
    """A tutorial's statement did not hold on this machine."""


def claim(statement: str, holds: bool) -> None:
    """Print '✓ statement' when `holds`, else print '✗ statement' and raise ClaimFailed."""
    if holds:
        print(f"\u2713 {statement}")
        return
    print(f"\u2717 {statement}")
    raise ClaimFailed(f"Not so on this machine: {statement}. The tutorial says it should "
                      "be; your versions of TensorFlow or ckptlab may behave differently "
                      "(please report it, with `pip list`).")
