"""The Estimator track's behavioural checks on typed observations: the model as saved vs
the model predict() restored, EVAL vs PREDICT on the checker's probes, and values
overwritten right after a restore in evaluate()/predict(). What must and must not be
flagged; the real failures are provoked in tests/tf/test_check_golden.py.
"""

from __future__ import annotations

import pytest

from ckptlab.checker.explain import diagnose, order_by_cause
from ckptlab.checker.observations import Observations

pytestmark = pytest.mark.unit

OUTPUTS = [[0.5], [1.0], [-2.0]]


def _obs(saved_gap=0.2, eval_gap=None, fixed_gap=0.0, unsaved=(), local=(), overwritten=None,
         resumed=()):
    return Observations.from_json({
        "track": "estimator", "stages": ["trace modes", "train", "evaluate", "predict"],
        "estimator": {
            "model_dir": "model_dir",
            "train": {"session_runs": 5, "checkpoints": ["model.ckpt-5"]},
            "predict": {"examples": 3, "largest_gap": 0.0, "fixed_gap": fixed_gap},
            "probe": {"digest": "d", "outputs": OUTPUTS,
                      "eval_outputs": [[0.5], [1.7], [-2.0]] if eval_gap else [],
                      "loaded": ["w", *unsaved], "local": list(local)}},
        "judged": {"checkpoints": ["model.ckpt-0", "model.ckpt-5"], "latest": "model.ckpt-5",
                   "global_step": 5, "saved_output_gap": saved_gap,
                   "eval_predict_gap": eval_gap, "unsaved_variables": list(unsaved),
                   "overwritten_in": overwritten or {},
                   "overwritten_after_restore": list(resumed)}})


def _codes(obs):
    return [f.code for f in order_by_cause(diagnose(obs)[0])]


def test_outputs_that_differ_after_restore_name_the_state_where_it_is():
    [left_out] = [f for f in diagnose(_obs(unsaved=["stat"]))[0]]
    assert left_out.code == "OUTPUTS_DIFFER_AFTER_RESTORE"
    assert "stat is a variable of the model that the checkpoint does not hold" in left_out.what
    assert "var_list" in left_out.fix
    [local] = diagnose(_obs(unsaved=["mean/total"], local=["mean/total"]))[0]
    assert "mean/total is a local variable" in local.what and "tf.get_variable" in local.fix
    [outside] = diagnose(_obs())[0]
    assert "a value held outside variables" in outside.what


def test_no_finding_for_rounding_a_random_model_or_an_overwritten_restore():
    assert _codes(_obs(saved_gap=5e-5)) == []  # float noise (relative gap)
    assert _codes(_obs(saved_gap=None)) == []  # not compared (other probes, no record)
    # a random model: NONDETERMINISTIC_PREDICT is the finding, not a restore problem
    assert _codes(_obs(fixed_gap=0.3)) == ["NONDETERMINISTIC_PREDICT"]
    overwritten = {"predict": [{"name": "w", "max_abs_diff": 0.5}]}
    assert _codes(_obs(overwritten=overwritten)) == ["RESTORE_OVERWRITTEN"]


def test_eval_and_predict_that_disagree_on_the_probes():
    codes = _codes(_obs(saved_gap=0.0, eval_gap=0.23))
    assert codes == ["EVAL_PREDICT_DIFFER"]
    [finding] = [f for f in diagnose(_obs(saved_gap=0.0, eval_gap=0.23))[0]]
    assert "example 2 gets [1.7] in EVAL, [1.0] in PREDICT" in finding.what
    assert "training=(mode == tf.estimator.ModeKeys.TRAIN)" in finding.fix
    assert _codes(_obs(saved_gap=0.0, eval_gap=5e-5)) == []


def test_restore_overwritten_says_where_it_happened():
    gap = [{"name": "w", "max_abs_diff": 0.5}]
    [both] = diagnose(_obs(saved_gap=None, overwritten={"evaluate": gap, "predict": gap},
                           resumed=gap))[0]
    assert both.what.startswith("The resumed train(), evaluate() and predict() restored")
    assert "every resume throws the training away, and the model evaluated" in both.what
    [serving] = diagnose(_obs(saved_gap=None, overwritten={"predict": gap}))[0]
    assert serving.what.startswith("predict() restored model.ckpt-5")
    assert dict(serving.evidence)["in"] == "predict()"


def test_a_value_restored_from_another_key_is_not_overwritten():
    """Saver(ema.variables_to_restore()) loads 'w/ExponentialMovingAverage' into w: the
    session holds a checkpoint value, under another name (verified from the disk)."""
    import numpy as np

    from ckptlab.checker.judge import restored_by_other_name

    saved = {"w": np.array([0.5, 1.5]), "w/ExponentialMovingAverage": np.array([0.4, 1.2]),
             "b": np.array([0.0, 0.0])}
    assert restored_by_other_name({"w": [0.4, 1.2], "b": [0.0, 0.0]}, saved) == {
        "w": "w/ExponentialMovingAverage"}
    assert restored_by_other_name({"w": [9.0, 9.0]}, saved) == {}  # really overwritten
