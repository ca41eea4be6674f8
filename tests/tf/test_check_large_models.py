"""A model larger than what a check reports back (not_compared.VALUES_BUDGET values), one
whose outputs need an integer variable, or one whose input_fn has no labels, is still
compared after every restore: the probes run with the values the session holds in its own
process (only what is reported to the judge is capped), and an EVAL loss that needs no
labels is run without. A right answer earns every point; a resume-only mistake in a large
model is still found."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ckptlab.checker.not_compared import VALUES_BUDGET
from ckptlab.checker.sandbox import check_file
from tests.helpers.estimator_attacks import RESUME_WRONG, SOLUTION

pytestmark = [pytest.mark.tf, pytest.mark.timeout(300)]

WIDTH = 6000  # the hidden layer's kernel alone: 4 x 6000 values
assert 4 * WIDTH > VALUES_BUDGET

INT_OFFSET = '''
def model_fn(features, labels, mode):
    offset = tf.get_variable("offset", initializer=3, dtype=tf.int32, trainable=False)
    hidden = tf.layers.dense(features["x"], 8, tf.nn.relu, name="hidden")
    output = tf.layers.dense(hidden, 1, name="output") + tf.cast(offset, tf.float32)
'''


NO_LABELS = '''
def input_fn():  # features only: the model learns to reconstruct them
    x = np.random.default_rng(0).normal(size=(64, 4)).astype(np.float32)
    return tf.data.Dataset.from_tensor_slices({"x": x}).repeat(2).batch(16)


def model_fn(features, labels, mode):
    code = tf.layers.dense(features["x"], 2, tf.nn.tanh, name="encode")
    output = tf.layers.dense(code, 4, name="decode")
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": output})
    loss = tf.reduce_mean(tf.square(output - features["x"]))
    train_op = tf.train.AdamOptimizer(0.01).minimize(
        loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
'''


def _without_labels(source: str) -> str:
    start = source.index("def model_fn(")
    end = source.index("def predict_many(")
    return source[:start] + NO_LABELS.lstrip("\n") + "\n\n" + source[end:]


def _wide(source: str) -> str:
    widened = re.sub(r'(tf\.layers\.dense\(features\["x"\][^,]*), 8,', rf"\1, {WIDTH},",
                     source)
    assert widened.count(str(WIDTH)) == 1
    return widened


def _with_int_offset(source: str) -> str:
    start = source.index("def model_fn(")
    end = source.index("    if mode == tf.estimator.ModeKeys.PREDICT")
    return source[:start] + INT_OFFSET.lstrip("\n") + source[end:]


def _check(tmp_path: Path, name: str, source: str):
    path = tmp_path / name
    path.write_text(source)
    return check_file(path, exercise="estimator-serving")


@pytest.mark.parametrize("make", [_wide, _with_int_offset, _without_labels],
                         ids=["wide", "int_variable", "no_labels"])
def test_a_right_answer_is_compared_after_every_restore_and_earns_every_point(tmp_path, make):
    report = _check(tmp_path, "solution.py", make(SOLUTION))
    assert report.verdict == "pass", str(report)
    assert report.unjudged == (), report.notes
    assert not any("not compared" in note for note in report.notes), report.notes
    assert sum(report.case_points.values()) == 5, (report.case_points, report.notes)


def test_a_resume_only_mistake_in_a_wide_model_is_found(tmp_path):
    report = _check(tmp_path, "resume_wrong.py", _wide(RESUME_WRONG))
    assert "OUTPUTS_DIFFER_AFTER_RESTORE" in report.codes("error"), str(report)
    assert report.case_points["deterministic"] == 0, report.case_points
