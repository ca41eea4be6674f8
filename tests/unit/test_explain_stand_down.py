"""A structure diagnoser stands down for an exception only when the exceptions diagnoser
classifies that exception as the same cause (exceptions.case_of), never for a word
("shape", "not found in checkpoint") that happens to be in an unrelated message (issue 11)."""

from __future__ import annotations

from ckptlab.checker.explain.estimator import mode_only_variable, shape_mismatch
from ckptlab.checker.explain.exceptions import case_of
from ckptlab.checker.observations import Observations

SERVING_ERROR = {"stage": "predict_many", "type": "ValueError",
                 "message": "expected rows of shape (n, 5), got shape (4, 4)"}
RESTORE_ERROR = {"stage": "evaluate", "type": "InvalidArgumentError",
                 "message": "Assign requires shapes of both tensors to match. lhs shape= [4,16] "
                            "rhs shape= [4,8]"}
INPUT_ERROR = {"stage": "predict", "type": "InvalidArgumentError",
               "message": "Matrix size-incompatible: In[0]: [4,5], In[1]: [4,8]"}
MISSING_KEY = {"stage": "evaluate", "type": "NotFoundError",
               "message": "Key eval_scale not found in checkpoint"}
WARM_START = {"stage": "train", "type": "ValueError",
              "message": "Variable hidden/kernel not found in pretrained checkpoint"}


def _observations(*errors: dict) -> Observations:
    return Observations.from_json({
        "track": "estimator", "errors": list(errors),
        "estimator": {
            "model_dir": "model_dir",
            "modes": {"variables": {"train": {"hidden/kernel": [4, 8]},
                                    "eval": {"hidden/kernel": [4, 8], "eval_scale": []}},
                      "missing_from_train": {"eval": ["eval_scale"]}},
            "restore_modes": {"variables": {"train": {"hidden/kernel": [4, 16]},
                                            "eval": {"hidden/kernel": [4, 16]},
                                            "infer": {"hidden/kernel": [4, 16]}}}},
        "judged": {"saved_shapes": {"hidden/kernel": [4, 8]}}})


def test_a_silent_shape_change_is_not_hidden_by_an_unrelated_shape_error():
    assert case_of(_observations(SERVING_ERROR).errors[0], "estimator") is None
    assert [f.code for f in shape_mismatch(_observations(SERVING_ERROR))] == ["SHAPE_MISMATCH"]


def test_shape_mismatch_stands_down_when_the_restore_error_already_says_it():
    assert shape_mismatch(_observations(RESTORE_ERROR)) == []


def test_an_input_error_is_another_cause_than_a_restored_shape():
    # "incompatible" was enough to hide SHAPE_MISMATCH; now it is its own finding (folded
    # as evidence under INPUT_MISMATCH by order_by_cause when both are found)
    assert case_of(_observations(INPUT_ERROR).errors[0], "estimator").code == "INPUT_MISMATCH"
    assert [f.code for f in shape_mismatch(_observations(INPUT_ERROR))] == ["SHAPE_MISMATCH"]


def test_a_mode_only_variable_stands_down_only_for_its_own_restore_error():
    assert mode_only_variable(_observations(MISSING_KEY)) == []
    assert [f.code for f in mode_only_variable(_observations(WARM_START))] == [
        "MODE_ONLY_VARIABLE"]
