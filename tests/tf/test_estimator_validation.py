"""EstimatorSpec and model_fn checks raise tf.estimator 2.15's messages (facts.md)."""

from __future__ import annotations

import os
import re

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # before TensorFlow: tf.compat.v1.layers

import pytest
import tensorflow as tf

from ckptlab.estimator import Estimator, EstimatorSpec, ModeKeys
from tests.helpers.estimator_models import quiet_config, regression_model_fn, train_input

v1 = tf.compat.v1


def test_mode_strings():
    assert (ModeKeys.TRAIN, ModeKeys.EVAL, ModeKeys.PREDICT) == ("train", "eval", "infer")


@pytest.mark.parametrize(("mode", "fields", "message"), [
    (ModeKeys.TRAIN, {"train_op": "op"}, "Missing loss."),
    (ModeKeys.EVAL, {}, "Missing loss."),
    (ModeKeys.TRAIN, {"loss": "loss"}, "Missing train_op."),
    (ModeKeys.PREDICT, {}, "Missing predictions."),
])
def test_estimator_spec_requires_fields_per_mode(mode, fields, message):
    with tf.Graph().as_default():
        loss = tf.constant(1.0)
        values = {"loss": loss, "op": tf.no_op()}
        kwargs = {key: values[value] for key, value in fields.items()}
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            EstimatorSpec(mode, **kwargs)


def test_estimator_spec_rejects_tensors_from_another_graph():
    with tf.Graph().as_default():
        stale = tf.constant(1.0, name="stale_loss")
    with tf.Graph().as_default(), pytest.raises(
            ValueError, match='loss with "stale_loss:0" must be from the default graph'):
        EstimatorSpec(ModeKeys.EVAL, loss=stale)


def fit(model_fn, tmp_path, params=None):
    est = Estimator(model_fn, model_dir=str(tmp_path), config=quiet_config(), params=params)
    return est.train(train_input(), steps=1)


def test_model_fn_must_return_an_estimator_spec(tmp_path):
    def model_fn(features, labels, mode):
        return {"loss": tf.reduce_sum(features)}

    with pytest.raises(ValueError, match=r"^model_fn should return an EstimatorSpec\.$"):
        fit(model_fn, tmp_path)


def test_model_fn_signature_rules(tmp_path):
    def no_features(inputs, labels, mode):
        return None

    def no_params(features, labels, mode):
        return None

    def odd_arg(features, labels, mode, extra):
        return None

    def no_labels(features, mode):
        return None

    with pytest.raises(ValueError, match=r"must include features argument\.$"):
        Estimator(no_features, model_dir=str(tmp_path))
    with pytest.raises(ValueError, match=r"does not include params argument, but params "
                                         r"\(\{'a': 1\}\) is passed to Estimator\.$"):
        Estimator(no_params, model_dir=str(tmp_path), params={"a": 1})
    with pytest.raises(ValueError, match=r"has following not expected args: \['extra'\]$"):
        Estimator(odd_arg, model_dir=str(tmp_path))
    with pytest.raises(ValueError, match=r"^model_fn does not take labels, but input_fn "
                                         r"returns labels\.$"):
        fit(no_labels, tmp_path)


def test_train_argument_checks(tmp_path):
    est = Estimator(regression_model_fn, model_dir=str(tmp_path), params={})
    with pytest.raises(ValueError, match=r"^Can not provide both steps and max_steps\.$"):
        est.train(train_input(), steps=1, max_steps=2)
    with pytest.raises(ValueError, match=r"^Must specify steps > 0, given: 0$"):
        est.train(train_input(), steps=0)
    with pytest.raises(TypeError, match=r"^Hooks must be a SessionRunHook, given: 3$"):
        est.train(train_input(), steps=1, hooks=[3])


def test_max_steps_already_reached_skips_training(tmp_path):
    est = fit(regression_model_fn, tmp_path, params={})
    est.train(train_input(), max_steps=1)
    assert [e.data["message"] for e in est.recorder.of_kind("log")] == [
        "Skipping training since max_steps has already saved."]
    assert len(est.recorder.of_kind("model_fn_called")) == 1
    est.train(train_input(), max_steps=4)
    assert est.get_variable_value("global_step") == 4


def test_hooks_see_every_step(tmp_path):
    class CountSteps(v1.train.SessionRunHook):
        def __init__(self):
            self.runs = 0

        def after_run(self, run_context, run_values):
            self.runs += 1

    hook = CountSteps()
    est = Estimator(regression_model_fn, model_dir=str(tmp_path), config=quiet_config(),
                    params={})
    est.train(train_input(), steps=6, hooks=[hook])
    assert hook.runs == 6


def test_a_cluster_in_tf_config_is_named_as_not_followed(monkeypatch, caplog):
    import ckptlab.estimator.config as config

    monkeypatch.setattr(config, "_CLUSTER_WARNED", False)
    monkeypatch.setenv("TF_CONFIG", '{"cluster": {"chief": ["host0:2222"], "worker": '
                       '["host1:2222"]}, "task": {"type": "worker", "index": 0}}')
    with caplog.at_level("WARNING", logger="tensorflow"):
        run_config = config.RunConfig()
        config.RunConfig()
    warnings = [r.getMessage() for r in caplog.records if "TF_CONFIG" in r.getMessage()]
    assert len(warnings) == 1 and "runs on one machine" in warnings[0]
    assert run_config.is_chief and run_config.num_worker_replicas == 1
