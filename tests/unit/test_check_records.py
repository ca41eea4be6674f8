"""The checker's records, rendering, registry and exercise data, without TensorFlow."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ckptlab.checker import explain
from ckptlab.checker.assemble import build_report, crashed, timed_out
from ckptlab.checker.codes import CODES, ESTIMATOR_CODES, TF2_CODES, make_finding
from ckptlab.checker.findings import Report, verdict_of
from ckptlab.checker.submission import detect_track, read_source
from ckptlab.errors import UsageError
from ckptlab.exercises import EXERCISES, get_exercise, points_for
from ckptlab.render.report import finding_text, report_html, report_text

WARNING_FINDING = make_finding("MODEL_DIR_TEMPORARY", "Made an Estimator without model_dir.",
                               "Pass model_dir='runs/a'.", {"count": 1})
ERROR_FINDING = make_finding("NAME_DRIFT", "dense/kernel is used where TRAIN uses dense_1.",
                             "Name the layers.", {"pairs": ["dense -> dense_1", "x -> y"]})


def test_issue_codes_are_all_in_the_catalog():
    issue = {"SPEC_MISSING_FIELD", "MODEL_FN_SIGNATURE", "MODE_ONLY_VARIABLE",
             "REUSE_IN_NEW_GRAPH", "NAME_DRIFT", "SHAPE_MISMATCH", "GLOBAL_STEP_NOT_INCREMENTED",
             "NONDETERMINISTIC_PREDICT", "NO_CHECKPOINT", "MISSING_UPDATE_OPS",
             "EXCESSIVE_RESTORE", "UNRESOLVED_OBJECTS", "RESTORE_INTO_UNBUILT_MODEL",
             "OBJECT_PATH_MISMATCH", "VALUES_NOT_RESTORED", "WRONG_CHECKPOINT_PATH",
             "FORMAT_MISMATCH", "LEARNER_EXCEPTION", "TIMEOUT", "CRASHED"}
    assert issue <= set(CODES)
    assert set(ESTIMATOR_CODES) | set(TF2_CODES) <= set(CODES)
    for code in CODES.values():
        assert code.tutorial.startswith("tutorials/") and "#" in code.tutorial
        assert code.title and len(code.title) <= 88 and code.why.endswith(".")


def test_verdicts_distinguish_failed_code_from_a_check_that_could_not_judge():
    assert verdict_of([]) == "pass"
    assert verdict_of([WARNING_FINDING]) == "pass"
    assert verdict_of([ERROR_FINDING]) == "fail"
    timeout = timed_out({"stages": ["train"]}, 5)
    assert verdict_of([timeout]) == "error"
    assert verdict_of([timeout, ERROR_FINDING]) == "fail"  # what was learned still counts
    assert Report("tf2", "x", (timeout,)).exit_code == 2


def test_json_has_the_contract_fields_and_round_trips():
    report = Report("estimator", "sub.py", (ERROR_FINDING, WARNING_FINDING), {"train": 1.5})
    data = json.loads(json.dumps(report.to_dict()))
    assert data["verdict"] == "fail" and data["track"] == "estimator"
    assert set(data["findings"][0]) >= {"code", "severity", "title", "explanation", "fix",
                                        "evidence", "tutorial"}
    assert data["findings"][0]["evidence"] == {"pairs": ["dense -> dense_1", "x -> y"]}
    assert Report.from_dict(data) == report


def test_finding_text_is_exact():
    assert finding_text(ERROR_FINDING) == "\n".join([
        "[error] NAME_DRIFT: Auto-numbered names point at different layers in different modes",
        "  What happened: dense/kernel is used where TRAIN uses dense_1.",
        "  Evidence:",
        "    pairs: dense -> dense_1, x -> y",
        "  Why: Unnamed layers are numbered in creation order (dense, dense_1, ...). When the",
        "    order changes between modes, the checkpoint restores each weight by name into the",
        "    wrong layer; with equal shapes nothing raises and the model is silently scrambled.",
        "  Fix: Name the layers.",
        "  Learn more: tutorials/06_when_restores_go_wrong.ipynb#cell-id=name-drift",
    ])


def test_report_text_and_html():
    report = Report("tf2", "mine.py", (ERROR_FINDING,), exercise="tf2-round-trip")
    assert report_text(report).splitlines()[:2] == [
        "FAIL  mine.py (tf2 track, exercise tf2-round-trip: 1 error, 0 warnings)",
        "Points: 5/5 (runs 1/1, right_file 1/1, paths_match 1/1, values_back 2/2)"]
    page = report_html(report)
    assert page.count("<details") == 1 and 'data-code="NAME_DRIFT"' in page
    assert "&gt;" in page  # evidence is escaped
    assert "No problem found" in report_text(Report("tf2", "ok.py"))
    from IPython.lib.pretty import pretty  # plain-text front ends show the same text
    assert pretty(report) == report_text(report)


def test_a_crashing_diagnoser_becomes_a_note_not_an_error():
    def broken(obs):
        raise KeyError("oops")

    explain.DIAGNOSERS.append((("tf2",), broken))
    try:
        report = build_report({"track": "tf2", "errors": [], "stages": []}, "x.py")
    finally:
        explain.DIAGNOSERS.remove((("tf2",), broken))
    assert report.verdict == "pass"
    assert report.notes == ("diagnoser broken could not run (KeyError: 'oops')",)


def test_partial_observations_still_give_findings():
    obs = {"track": "tf2", "stages": ["build"], "errors": [
        {"stage": "save", "type": "TypeError", "message": "bad\nmore", "location": "a.py, line 3"}]}
    report = build_report(obs, "a.py", [crashed(obs, "exit code 3")])
    assert report.codes() == ["LEARNER_EXCEPTION", "CRASHED"]  # the cause first
    assert report.findings[0].what == (
        "During save, your code raised TypeError at a.py, line 3.")


def test_exercise_points_follow_the_cases():
    exercise = get_exercise("tf2-round-trip")
    assert points_for(exercise, "pass", []) == {c.name: c.points for c in exercise.cases}
    failed = points_for(exercise, "fail", ["VALUES_NOT_RESTORED"])
    assert failed["values_back"] == 0 and failed["runs"] == 1
    assert set(points_for(exercise, "error", []).values()) == {0}
    assert len(EXERCISES) >= 4
    with pytest.raises(UsageError, match="No exercise"):
        get_exercise("nope")


def test_notebook_submissions_are_read_as_code_cells(tmp_path):
    notebook = tmp_path / "sub.ipynb"
    notebook.write_text(json.dumps({"cells": [
        {"cell_type": "markdown", "source": "def model_fn(): pass"},
        {"cell_type": "code", "source": ["%matplotlib inline\n", "def build_model():\n",
                                         "    return 1\n"]}]}))
    source = read_source(notebook)
    assert "%matplotlib" not in source and detect_track(source) == "tf2"
    assert detect_track("def model_fn(features, labels, mode): pass") == "estimator"
    assert detect_track("x = 1") == "unknown" and detect_track("def (") == "unknown"


def test_notebook_autograder_and_skip_tagged_cells_are_left_out(tmp_path):
    def cell(source, **metadata):
        return {"cell_type": "code", "metadata": metadata, "source": source}

    notebook = tmp_path / "sub.ipynb"
    notebook.write_text(json.dumps({"cells": [
        cell("def model_fn(features, labels, mode): pass",
             nbgrader={"solution": True, "grade": False}),
        cell("HINTS = 1", tags=["ckptlab-skip"]),
        cell("CHECK = 1", nbgrader={"solution": False, "grade": True, "points": 3}),
        cell("SETUP = 1", nbgrader={"solution": False, "grade": False, "locked": True})]}))
    source = read_source(notebook)
    assert "model_fn" in source and "SETUP" in source
    assert "HINTS" not in source and "CHECK" not in source


def test_keras_shape_errors_are_shape_mismatches_with_the_shapes_shown():
    from ckptlab.checker.explain.exceptions import finding_for_error

    message = ("A total of 2 objects could not be loaded. Example error message for object "
               "<Dense name=dense_2, built=True>:\n\nThe shape of the target variable and the "
               "shape of the target value in `variable.assign(value)` must match. "
               "variable.shape=(4, 16), Received: value.shape=(4, 8). Target variable: ...")
    finding = finding_for_error({"stage": "restore", "type": "ValueError", "message": message,
                                 "location": ""}, "tf2")
    assert finding.code == "SHAPE_MISMATCH"
    assert finding.what.endswith("variable.shape=(4, 16), Received: value.shape=(4, 8)")


def test_every_code_is_documented_with_an_example():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "findings.md").read_text()
    for code in CODES:
        section = docs.split(f"### {code}\n", 1)
        assert len(section) == 2, f"{code} is not documented"
        body = section[1].split("\n### ", 1)[0]
        assert "```text" in body or code == "CHECK_INTERNAL_ERROR", code


def test_files_that_cannot_be_run_are_judged_before_any_process_starts(tmp_path):
    from ckptlab.checker.sandbox import check_file

    broken = tmp_path / "broken.py"
    broken.write_text("def model_fn(features:\n")
    report = check_file(broken)
    assert report.verdict == "fail" and report.codes() == ["LEARNER_EXCEPTION"]
    assert dict(report.findings[0].evidence)["in your code"] == "broken.py, line 1"
    partial = tmp_path / "partial.py"
    partial.write_text("def model_fn(features, labels, mode):\n    pass\n")
    report = check_file(partial, exercise="estimator-serving")
    assert report.verdict == "error" and "needs predict_many" in report.findings[0].what


def test_observations_are_strict_about_their_shape():
    from ckptlab.checker.observations import ObservationError, Observations

    obs = {"track": "tf2", "version": 1, "stages": ["build"], "errors": [
        {"stage": "save", "type": "TypeError", "message": "bad"}],
        "tf2": {"input_shape": [4], "value_gaps": [{"name": "k", "max_abs_diff": 0.5}]}}
    typed = Observations.from_json(obs)
    assert typed.errors[0].type == "TypeError" and typed.tf2.value_gaps[0].max_abs_diff == 0.5
    assert Observations.from_json(typed.to_json()) == typed
    for broken, problem in [({**obs, "eror": []}, "unknown field"),
                            ({**obs, "tf2": {"input_shape": ["4"]}}, "expected int"),
                            ({**obs, "errors": [{"stage": "save"}]}, "missing field"),
                            ({**obs, "version": 99}, "version 99"),
                            # an attached object's state is typed too (ObjectState)
                            ({**obs, "tf2": {"input_shape": [4], "restore_calls": [
                                {"api": "Checkpoint.restore", "path": None, "children": {
                                    "model": {"type": "Sequential", "vars": 0}}}]}},
                             "unknown field")]:
        with pytest.raises(ObservationError, match=problem):
            Observations.from_json(broken)
    report = build_report({**obs, "eror": []}, "a.py")  # a renamed key fails loudly
    assert report.codes() == ["CHECK_INTERNAL_ERROR"] and "unknown field" in report.findings[0].what


def test_symptoms_become_evidence_of_their_cause():
    from ckptlab.checker.explain import order_by_cause

    cause = make_finding("OBJECT_PATH_MISMATCH", "paths differ", "fix paths")
    symptom = make_finding("VALUES_NOT_RESTORED", "values differ", "fix values")
    other = make_finding("GLOBAL_STEP_NOT_INCREMENTED", "no step", "fix step")
    ordered = order_by_cause([symptom, other, cause, symptom])
    assert [f.code for f in ordered] == ["OBJECT_PATH_MISMATCH", "GLOBAL_STEP_NOT_INCREMENTED"]
    assert dict(ordered[0].evidence)["follows from this"] == [
        "VALUES_NOT_RESTORED: values differ"]


def test_tensorflow_and_keras_wrappers_are_unwrapped_to_the_cause():
    from ckptlab.checker.runners.stages import describe_exception

    class GraphError(Exception):
        pass

    wrapped = GraphError("Graph execution error:\n\nDetected at node 'hidden/MatMul' defined at "
                         "(most recent call last):\n  File \"x.py\", line 3, in f\n"
                         "Matrix size-incompatible: In[0]: [16,3], In[1]: [4,8]\n"
                         "\t [[{{node hidden/MatMul}}]]")
    error = describe_exception(wrapped, "evaluate", set())
    assert error["message"] == "Matrix size-incompatible: In[0]: [16,3], In[1]: [4,8]"
    assert error["node"] == "hidden/MatMul" and error["wrapper"] == "Graph execution error:"
    keras = ValueError("Exception encountered when calling Sequential.call().\n\n\x1b[1mInput 0 "
                       "of layer \"dense\" is incompatible with the layer: expected axis -1 of "
                       "input shape to have value 4\x1b[0m\n\nArguments received by "
                       "Sequential.call():\n  • inputs=tf.Tensor(shape=(2, 5))")
    error = describe_exception(keras, "restore", set())
    assert error["message"].startswith("Input 0 of layer \"dense\" is incompatible")
    assert "Arguments received" not in error["message"]


def test_the_text_says_who_raised_it():
    """Only a traceback through the learner's line says "your code raised"; an Estimator's
    restore op, a failing op of their graph or the Estimator itself is named as such."""
    from ckptlab.checker.explain.exceptions import raised_by
    from ckptlab.checker.observations import LearnerError

    def said(**fields):
        return raised_by(LearnerError("evaluate", "NotFoundError", "x", **fields), "estimator")

    assert said(location="m.py, line 3") == "your code raised NotFoundError at m.py, line 3"
    assert said(op="RestoreV2", node="save/RestoreV2") == (
        "restoring the checkpoint (op save/RestoreV2) raised NotFoundError")
    assert said(node="hidden/MatMul") == (
        "TensorFlow raised NotFoundError running op hidden/MatMul of your graph")
    assert said() == "the Estimator raised NotFoundError while calling your code"
