"""The learner's line in a traceback or a call stack: one rule (ckptlab.learner_code).

Before issue 11 four filters disagreed; the mode tracer, which did not skip the standard
library, named json's decoder.py as the learner's line when model_fn passed bad JSON.
"""

from __future__ import annotations

import json
import os
import traceback

import pytest

from ckptlab.learner_code import calling_location, error_location, is_library, learner_frame

HERE = os.path.basename(__file__)


def _raise_in_stdlib() -> BaseException:
    try:
        json.loads("{")  # the error is raised inside json/decoder.py
    except ValueError as error:
        return error
    raise AssertionError("json.loads accepted '{'")


def test_an_error_raised_inside_the_standard_library_names_the_learners_line():
    error = _raise_in_stdlib()
    frames = traceback.extract_tb(error.__traceback__)
    assert is_library(frames[-1].filename)  # the innermost frame is json's own code
    line = next(f.lineno for f in frames if f.filename == __file__)
    assert error_location(error) == f"{HERE}, line {line}"


def test_the_learners_own_files_win_over_other_non_library_frames(tmp_path):
    helper = tmp_path / "helper.py"
    helper.write_text("def fail():\n    raise RuntimeError('from a helper')\n")
    namespace: dict = {}
    exec(compile(helper.read_text(), str(helper), "exec"), namespace)
    try:
        namespace["fail"]()
    except RuntimeError as error:
        assert error_location(error) == "helper.py, line 2"
        line = next(f.lineno for f in traceback.extract_tb(error.__traceback__)
                    if f.filename == __file__)
        assert error_location(error, learner_files={__file__}) == f"{HERE}, line {line}"


def test_the_calling_location_skips_library_frames():
    # map() is C and pytest's frames are library code: the innermost learner frame is here
    where = []
    list(map(lambda _: where.append(calling_location()), [0]))
    assert where == [f"{HERE}, line {traceback.extract_stack()[-1].lineno - 1}"]


def test_no_learner_frame_gives_an_empty_location():
    assert learner_frame([]) is None
    assert error_location(ValueError("never raised")) == ""


def test_code_sent_by_value_is_the_learners():
    """cloudpickle names code it carries by value '<dynamic-code>': a notebook's functions
    in the sandboxed worker, whose lines are the learner's (their origins tell layers apart)."""
    import cloudpickle

    def model_fn():
        return 1

    sent = cloudpickle.loads(cloudpickle.dumps(model_fn))
    assert sent.__code__.co_filename == "<dynamic-code>"
    assert not is_library(sent.__code__.co_filename)


def test_autographs_generated_file_is_never_named(tmp_path):
    """A tf.function's code runs from a temporary file that AutoGraph writes
    (__autograph_generated_file<random>.py): naming it would point the learner at a file
    they never wrote, with a name that changes every run."""
    generated = tmp_path / "__autograph_generated_filek3j9x2ab.py"
    generated.write_text("def tf__model_fn():\n    raise ValueError('no spec')\n")
    namespace: dict = {}
    exec(compile(generated.read_text(), str(generated), "exec"), namespace)
    with pytest.raises(ValueError) as raised:
        namespace["tf__model_fn"]()  # the innermost line outside the generated file
    assert is_library(str(generated))
    line = raised.value.__traceback__.tb_lineno
    assert error_location(raised.value) == f"test_learner_code.py, line {line}"


_CELL_HELPER = "def widen(x):\n    raise ValueError('needs a batch')\n"
_CELL_MODEL = """
class Net:
    def call(self):
        return widen(1)


def build_model():
    def inner():
        return Net().call()
    return inner()
"""


def test_code_sent_by_value_gets_its_cells_file_names_back():
    """The kernel sends each code object's file name with the pickle; after loading, the
    worker's tracebacks name the cells again (helpers, nested functions, methods too)."""
    import cloudpickle

    from ckptlab.learner_code import ORIGINS_KEY, code_origins, restore_origins

    namespace = {"__name__": "__main__"}
    exec(compile(_CELL_HELPER, "/tmp/ipykernel_1/111.py", "exec"), namespace)
    exec(compile(_CELL_MODEL, "/tmp/ipykernel_1/222.py", "exec"), namespace)
    functions = {"build_model": namespace["build_model"]}
    origins = code_origins(functions.values())
    assert set(origins.values()) == {"/tmp/ipykernel_1/111.py", "/tmp/ipykernel_1/222.py"}
    sent = cloudpickle.loads(cloudpickle.dumps({**functions, ORIGINS_KEY: origins}))
    assert sent["build_model"].__code__.co_filename == "<dynamic-code>"
    assert restore_origins([sent["build_model"]], sent.pop(ORIGINS_KEY)) == 3
    with pytest.raises(ValueError) as raised:
        sent["build_model"]()
    error = raised.value
    frames = [(f.filename, f.lineno) for f in traceback.extract_tb(error.__traceback__)]
    assert frames[-4:] == [("/tmp/ipykernel_1/222.py", 10), ("/tmp/ipykernel_1/222.py", 9),
                           ("/tmp/ipykernel_1/222.py", 4), ("/tmp/ipykernel_1/111.py", 2)]
    assert error_location(error) == "111.py, line 2"
