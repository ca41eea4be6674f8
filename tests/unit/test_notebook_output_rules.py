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
