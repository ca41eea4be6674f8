"""The judge merges what separate stage processes claimed, and computes what they imply."""

from __future__ import annotations

from ckptlab.checker.judge import judge, merged_claims


def claim(stage: str, obs: dict, name: str = "finished") -> dict:
    return {"stage": name, "obs": obs, "_stage": stage}


def test_each_stage_contributes_its_last_observations_in_order(tmp_path):
    save = {"track": "tf2", "stages": ["build", "train", "save"], "errors": [],
            "timings": {"save": 0.1}, "log": ["a"],
            "tf2": {"input_shape": [4], "saved_outputs": [[1.0], [2.0]],
                    "optimizer_types": ["Adam", ""]}}
    restore = {"track": "tf2", "stages": ["restore", "call restored model"],
               "errors": [{"stage": "restore", "type": "KeyError", "message": "x"}],
               "timings": {"restore": 0.2}, "log": ["a", "b"],
               "tf2": {"input_shape": [4], "restored_outputs": [[1.0], [2.5]],
                       "optimizer_types": ["", "SGD"], "value_gaps": []}}
    claims = [claim("save", {"track": "tf2"}, "started"), claim("save", save),
              claim("restore", {"track": "tf2"}, "started"), claim("restore", restore)]
    merged = merged_claims(claims)
    assert merged["stages"] == ["build", "train", "save", "restore", "call restored model"]
    assert merged["timings"] == {"save": 0.1, "restore": 0.2}
    assert merged["log"] == ["a", "b"] and len(merged["errors"]) == 1
    assert merged["tf2"]["optimizer_types"] == ["Adam", "SGD"]
    judged = judge(merged, tmp_path)  # no evidence on disk: gaps stay as claimed
    assert judged["tf2"]["output_diff"] == 0.5  # computed here from both stages' outputs


def test_a_stage_that_died_early_leaves_only_what_it_said():
    claims = [claim("save", {"track": "tf2", "stages": ["build"]}, "build"),
              claim("restore", {"track": "tf2"}, "started")]
    assert merged_claims(claims) == {"track": "tf2", "stages": ["build"]}


def test_stages_that_ran_at_once_merge_in_the_order_of_the_stage_list():
    """restore and predict run at the same time: whichever claims first, evaluate's steps
    and errors come before predict's, and each one's restored values are kept."""
    restore = {"track": "estimator", "stages": ["evaluate"],
               "errors": [{"stage": "evaluate", "type": "KeyError", "message": "x"}],
               "estimator": {"restored": {"evaluate": {"w": [1.0]}}}}
    predict = {"track": "estimator", "stages": ["predict", "resume"],
               "errors": [{"stage": "resume", "type": "ValueError", "message": "y"}],
               "estimator": {"restored": {"predict": {"w": [1.0]}}}}
    claims = [claim("predict", predict), claim("restore", restore)]
    merged = merged_claims(claims, ["train", "restore", "predict"])
    assert merged["stages"] == ["evaluate", "predict", "resume"]
    assert [e["stage"] for e in merged["errors"]] == ["evaluate", "resume"]
    assert merged["estimator"]["restored"] == {"evaluate": {"w": [1.0]},
                                               "predict": {"w": [1.0]}}
    assert merged_claims(claims)["stages"] == ["predict", "resume", "evaluate"]  # no order
