"""What the notebook suites call output a learner should not see (tests/helpers/notebooks)."""

from __future__ import annotations

from tests.helpers.notebooks import output_problems


def cell(outputs, **metadata):
    return {"cell_type": "code", "metadata": metadata, "outputs": outputs}


def result(text):
    return {"output_type": "execute_result", "data": {"text/plain": text}}


def test_a_stray_number_stderr_and_numpy_reprs_are_problems():
    problems = output_problems([
        cell([result("403")]),
        cell([{"output_type": "stream", "name": "stderr", "text": "W0000 noise"}]),
        cell([{"output_type": "stream", "name": "stdout", "text": "loss np.float32(0.5)"}]),
    ])
    assert problems == ["cell 1 shows a stray value: 403", "cell 2 writes to stderr: W0000 noise",
                        "cell 3 prints a NumPy repr: loss np.float32(0.5)"]


def test_the_points_a_graded_cell_ends_with_are_meant_to_be_seen():
    graded = cell([result("3")], nbgrader={"grade": True, "points": 4})
    assert output_problems([graded]) == []
    assert output_problems([cell([result("3")], nbgrader={"grade": False})]) == [
        "cell 1 shows a stray value: 3"]


def html_report(text):
    return {"output_type": "display_data", "data": {"text/html": [f"<b>{text}</b>"]}}


def test_each_exercise_stub_must_report_its_finding():
    from ckptlab.exercises import EXERCISES
    from tests.helpers.exercise_stubs import STUB_CODES, stub_problems
    from tests.helpers.notebooks import REPO

    assert set(STUB_CODES) == set(EXERCISES)
    for exercise in EXERCISES.values():
        shown = (f"FAIL exercise {exercise.id} Points: 1/{exercise.total} (checks) "
                 f"{STUB_CODES[exercise.id]}: what happened")
        for path in (f"exercises/{exercise.notebook}.ipynb",  # as the browser run names it
                     REPO / "exercises" / f"{exercise.notebook}.ipynb"):  # the headless runs
            graded = cell([html_report(shown)], nbgrader={"grade": True})
            assert stub_problems(path, [graded]) == [], path
            crashed = cell([html_report(shown.replace("FAIL", "ERROR") + " CHECK_INTERNAL_ERROR")],
                           nbgrader={"grade": True})
            (problem,) = stub_problems(path, [crashed])
            assert "a FAIL report, no CHECK_INTERNAL_ERROR" in problem
    assert stub_problems("tutorials/00_start_here.ipynb", [cell([])]) == []
