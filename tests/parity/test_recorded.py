"""The transcripts of the real tf.estimator 2.15 that ckptlab ships are what it does: they
are compared with the real side of this parity run (no extra run of TensorFlow 2.15)."""

from __future__ import annotations

import json

from tests.parity.record_transcripts import SCENARIOS, SHIPPED, compact
from tests.parity.test_parity import runs  # noqa: F401 - the session's parity run


def test_shipped_transcripts_match_the_real_estimator(runs):  # noqa: F811
    shipped = json.loads(SHIPPED.read_text())
    assert {name: compact(runs.real[name]) for name in SCENARIOS} == shipped, (
        "regenerate with python -m tests.parity.record_transcripts")
