"""PREDICTIONS_DEPEND_ON_BATCH on typed observations: what must and must not be flagged.

The real failures are provoked in tests/tf/test_check_golden.py (an Estimator and a Keras
model that reduce over the batch); here, the edges: rounding noise, a random model, a
model that ignores its input, and nothing to compare, are not this finding.
"""

from __future__ import annotations

import pytest

from ckptlab.checker.explain.behaviour import predictions_depend_on_batch
from ckptlab.checker.observations import EstimatorRun, Observations, PredictRecord, RoundTrip

pytestmark = pytest.mark.unit

SINGLE = ((0.5, 1.0), (-0.25, 2.0), (1.5, -1.0), (0.0, 0.75))


def _estimator(batched, single=SINGLE, fixed_gap=0.0, largest_gap=0.0):
    record = PredictRecord(examples=8, largest_gap=largest_gap, fixed_gap=fixed_gap,
                           single_outputs=single, batched_outputs=batched)
    return Observations("estimator", estimator=EstimatorRun("model_dir", predict=record))


def _tf2(batched, single=SINGLE, repeat_gap=0.0):
    trip = RoundTrip(input_shape=(4,), single_outputs=single, repeat_gap=repeat_gap,
                     saved_outputs=(*batched, (9.0, 9.0)))
    return Observations("tf2", tf2=trip)


def test_outputs_that_change_with_the_batch_are_flagged_on_both_tracks():
    mixed = ((0.5, 1.0), (-0.25, 2.5), (1.5, -1.0), (0.0, 0.75))
    for obs in (_estimator(mixed), _tf2(mixed)):
        [finding] = predictions_depend_on_batch(obs)
        assert finding.code == "PREDICTIONS_DEPEND_ON_BATCH"
        assert "example 2 alone gave [-0.25, 2.0], in the batch [-0.25, 2.5]" in finding.what
    assert "ModeKeys.TRAIN" in predictions_depend_on_batch(_estimator(mixed))[0].fix
    assert "call(self, x, training=False)" in predictions_depend_on_batch(_tf2(mixed))[0].fix


def test_agreeing_outputs_and_rounding_noise_are_not_flagged():
    noisy = tuple(tuple(v + 1e-6 for v in row) for row in SINGLE)
    for batched in (SINGLE, noisy):
        assert predictions_depend_on_batch(_estimator(batched)) == []
        assert predictions_depend_on_batch(_tf2(batched)) == []


def test_other_causes_and_missing_evidence_stand_it_down():
    mixed = ((0.5, 1.0), (-0.25, 2.5), (1.5, -1.0), (0.0, 0.75))
    same = ((1.0, 1.0),) * 4
    assert predictions_depend_on_batch(_estimator(mixed, fixed_gap=0.3)) == []  # random
    assert predictions_depend_on_batch(_estimator(mixed, fixed_gap=None, largest_gap=0.3)) == []
    assert predictions_depend_on_batch(_tf2(mixed, repeat_gap=0.3)) == []
    assert predictions_depend_on_batch(_estimator(mixed, single=same)) == []  # ignores input
    assert predictions_depend_on_batch(_estimator(())) == []  # not recorded
    assert predictions_depend_on_batch(_tf2(mixed, repeat_gap=None)) == []
    assert predictions_depend_on_batch(Observations("estimator")) == []
