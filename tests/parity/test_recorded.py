"""The transcripts of the real tf.estimator 2.15 that ckptlab ships are what it does."""

from __future__ import annotations

import json

import pytest

from tests.parity.harness import parity_python
from tests.parity.record_transcripts import SHIPPED, record


def test_shipped_transcripts_match_a_fresh_run_of_the_real_estimator():
    python = parity_python()
    if python is None:
        pytest.skip("no parity Python (CKPTLAB_PARITY_PYTHON); make parity sets it")
    assert record(python) == json.loads(SHIPPED.read_text())
