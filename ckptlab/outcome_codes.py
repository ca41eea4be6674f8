"""Which finding codes mean the code did not run through, in one place.

STOPPED: the process running the learner's code was stopped or died. INCOMPLETE: the
check could not judge (verdict "error", exit code 2): STOPPED or the checker failing.
DID_NOT_RUN: no exercise case can be judged (the "runs" case fails): STOPPED, or the
learner's code raised, returned no EstimatorSpec field it needs, or has a wrong signature.
"""

from __future__ import annotations

__all__ = ["DID_NOT_RUN", "INCOMPLETE", "STOPPED"]

STOPPED = ("TIMEOUT", "CRASHED")
INCOMPLETE = (*STOPPED, "CHECK_INTERNAL_ERROR")
DID_NOT_RUN = ("LEARNER_EXCEPTION", *STOPPED, "SPEC_MISSING_FIELD", "MODEL_FN_SIGNATURE")
