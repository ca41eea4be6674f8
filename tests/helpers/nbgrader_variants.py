"""The known-wrong variant of each exercise that the nbgrader course submits, with the
points `ckptlab grade`'s sandbox gives it.

tests/tf/test_check_exercises.py checks that the sandbox gives exactly these points;
tests/notebooks/test_nbgrader_course.py that nbgrader's autograde gives the same. So
nbgrader and the sandbox agree, and no variant is graded twice in one suite.
"""

from __future__ import annotations

# exercise -> (variant, points). Each variant defines every name its check cell passes (a
# submission without PARAMS gets 0 from nbgrader: the check cell raises NameError), and
# is not the starter code itself.
NBGRADER_WRONG = {
    "estimator-first-model-fn": ("wrong_feature_key.py", 0),
    "estimator-step-in-checkpoint": ("wrong_update_without_step.py", 1),
    "estimator-stable-names": ("wrong_gate_built_late.py", 1),
    "estimator-spec-per-mode": ("wrong_eval_without_loss.py", 1),
    "estimator-checkpoint-config": ("wrong_checkpointing_off.py", 3),
    "estimator-serving": ("wrong_predict_per_example.py", 3),
    "estimator-mode-consistency": ("wrong_auto_named_swap.py", 3),
    "estimator-training-state": ("wrong_update_ops_outside_minimize.py", 3),
    "tf2-round-trip": ("wrong_unbuilt_assert_consumed.py", 4),
    "keras-weights-files": ("wrong_wider_model.py", 3),
    "tf2-from-name-based": ("wrong_kernels_only.py", 2),
}
