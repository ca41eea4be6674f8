"""CheckReport over a real checker run: a model_fn whose PREDICT-only variable is never saved."""

from __future__ import annotations

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # tf.compat.v1.layers needs tf_keras

import tensorflow.compat.v1 as tf

import ckptlab
from ckptlab.estimator import EstimatorSpec, ModeKeys
from ckptlab.render.links import tutorial_href
from ckptlab.widgets.check_report import CheckReport


def model_fn(features, labels, mode):
    output = tf.layers.dense(features["x"], 1, name="output")
    if mode == ModeKeys.PREDICT:
        scale = tf.get_variable("calibration", [1], initializer=tf.ones_initializer())
        return EstimatorSpec(mode, predictions={"y": output * scale})
    loss = tf.losses.mean_squared_error(labels, output)
    train_op = tf.train.AdamOptimizer(0.05).minimize(loss, tf.train.get_global_step())
    return EstimatorSpec(mode, loss=loss, train_op=train_op)


def test_real_findings_become_cards_with_evidence():
    report = ckptlab.check(model_fn, timeout=300)
    assert report.verdict == "fail", report.codes()
    view = CheckReport(report)
    assert "FAIL" in view.summary.value
    assert view.shown == report.codes()
    first = report.findings[0]
    view.expand(first.code)
    assert view.expanded == first.code
    card = view.card_html(first.code)
    assert "calibration" in card and tutorial_href(first.tutorial) in card
    errors = report.codes("error")
    view.show_severity("error")
    assert view.shown == errors
