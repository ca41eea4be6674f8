"""Each exercise notebook, run as a learner first opens it: the stub runs, and the check
cell reports a failure with the code the exercise is about (not a crash of the check).

The notebooks are not executed here: tests/helpers/exercise_stubs.py's rule is applied to
the outputs of the run that executes every learner notebook once per suite (the browser
run, Binder's headless run or the plain headless run; tests/conftest.py NOTEBOOK_RUNS).
"""

from __future__ import annotations

from ckptlab.exercises import EXERCISES
from tests.helpers.exercise_stubs import STUB_CODES
from tests.helpers.notebooks import REPO, learner_notebooks


def test_every_exercise_has_a_stub_expectation_and_its_notebook_is_run():
    assert set(STUB_CODES) == set(EXERCISES)
    run = set(learner_notebooks())  # what each of NOTEBOOK_RUNS executes
    assert {REPO / "exercises" / f"{e.notebook}.ipynb" for e in EXERCISES.values()} <= run
