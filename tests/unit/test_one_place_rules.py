"""Rules that issue 11 found written several times now live in one place each.

Each test walks ckptlab's source (AST, no imports) and fails if a rule's telltale shows up
outside its home, so a new variant cannot drift in unnoticed. The behaviour of each home
is tested next to it (test_learner_code, test_shape_text, test_mode_names, tf tests).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "ckptlab"


def _where(found: Callable[[ast.AST], bool]) -> list[str]:
    hits = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if found(node):
                hits.add(path.relative_to(PACKAGE).as_posix())
    return sorted(hits)


def _calls(*names: str) -> Callable[[ast.AST], bool]:
    def found(node: ast.AST) -> bool:
        return isinstance(node, ast.Call) and (
            getattr(node.func, "attr", None) in names or getattr(node.func, "id", None) in names)
    return found


def test_the_learners_line_is_found_in_learner_code_only():
    assert _where(_calls("extract_tb", "extract_stack", "_getframe")) == ["learner_code.py"]


def test_the_mode_vocabulary_is_spelled_in_mode_names_only():
    """'infer' and 'PREDICT' are spelled once; mode keys are read through TRAIN/EVAL/PREDICT."""
    def infer(node: ast.AST) -> bool:
        return isinstance(node, ast.Constant) and node.value in ("infer", "PREDICT")
    assert _where(infer) == ["mode_names.py"]


def test_step_from_prefix_has_one_name():
    def alias(node: ast.AST) -> bool:
        return isinstance(node, ast.Assign) and getattr(node.value, "id", "") == "step_of_prefix"

    def definition(node: ast.AST) -> bool:
        return isinstance(node, ast.FunctionDef) and node.name.startswith("step_of")
    assert _where(alias) == []
    assert _where(definition) == ["scopes/names.py"]


def test_model_fn_and_input_fn_are_called_through_estimator_calls():
    """model_fn_kwargs and mode_inputs are used by the engine, the tracer and the checker."""
    users = _where(_calls("model_fn_kwargs", "mode_inputs"))
    assert users == ["checker/runners/estimator.py",
                     "estimator/building.py", "estimator/calls.py", "trace/modes.py"]
    # which arguments a learner's function takes is read one way (function_utils.fn_args)
    assert _where(_calls("signature", "getfullargspec")) == []
    # nobody else calls a learner's input_fn (without the mode and params it asks for)
    assert _where(_calls("input_fn")) == ["estimator/calls.py"]


def test_the_seed_of_a_check_is_set_in_one_place():
    # building.py: the engine applies RunConfig.tf_random_seed per graph, as tf.estimator does
    assert _where(_calls("set_random_seed")) == ["checker/runners/tracks.py",
                                                 "estimator/building.py"]


def test_a_place_in_the_learners_code_is_worded_in_one_place():
    """'file.py, line 3' / 'cell [5], line 3' is written by source_location.location only."""
    def worded(node: ast.AST) -> bool:
        return isinstance(node, ast.JoinedStr) and any(
            isinstance(part, ast.Constant) and str(part.value).endswith(", line ")
            for part in node.values)
    assert _where(worded) == ["source_location.py"]


def test_values_count_as_equal_by_one_tolerance():
    def defined(node: ast.AST) -> bool:
        return isinstance(node, ast.Assign) and any(
            getattr(target, "id", "").endswith("TOLERANCE") for target in node.targets)
    assert _where(defined) == ["checker/judge.py"]
