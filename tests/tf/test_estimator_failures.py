"""facts.md "Failures across modes and restores", provoked on ckptlab's engine."""

from __future__ import annotations

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # before TensorFlow: tf.compat.v1.layers

import numpy as np
import pytest
import tensorflow as tf

from ckptlab.estimator import Estimator, EstimatorSpec, ModeKeys, RunConfig
from tests.helpers.estimator_models import (
    eval_input,
    predict_input,
    quiet_config,
    regression_model_fn,
    train_input,
)

v1 = tf.compat.v1


def spec_for(mode, out, labels, lr=0.1):
    if mode == ModeKeys.PREDICT:
        return EstimatorSpec(mode, predictions=out)
    loss = v1.losses.mean_squared_error(labels, out)
    train_op = v1.train.GradientDescentOptimizer(lr).minimize(
        loss, global_step=v1.train.get_global_step())
    return EstimatorSpec(mode, loss=loss, train_op=train_op)


def test_variable_only_in_train_is_fine(tmp_path):
    def model_fn(features, labels, mode):
        out = v1.layers.dense(features, 1)
        if mode == ModeKeys.TRAIN:
            v1.get_variable("train_only_counter", [], trainable=False)
        return spec_for(mode, out, labels)

    est = Estimator(model_fn, model_dir=str(tmp_path), config=quiet_config())
    est.train(train_input(), steps=2)
    assert "train_only_counter" in est.get_variable_names()
    assert est.evaluate(eval_input)["global_step"] == 2


def test_variable_only_in_eval_fails_with_not_found(tmp_path):
    def model_fn(features, labels, mode):
        out = v1.layers.dense(features, 1)
        if mode == ModeKeys.EVAL:
            out = out * v1.get_variable("eval_scale", [], initializer=v1.ones_initializer())
        return spec_for(mode, out, labels)

    est = Estimator(model_fn, model_dir=str(tmp_path), config=quiet_config())
    est.train(train_input(), steps=2)
    with pytest.raises(tf.errors.NotFoundError) as caught:
        est.evaluate(eval_input)
    message = str(caught.value)
    assert "Restoring from checkpoint failed. This is most likely due to a Variable name " \
        "or other graph key that is missing from the checkpoint" in message
    assert "Key eval_scale not found in checkpoint" in message
    end = est.recorder.of_kind("call_end")[-1].data
    assert (end["api"], end["status"], end["error"]) == ("evaluate", "error", "NotFoundError")


def test_a_saver_of_some_variables_fails_like_tf_estimator(tmp_path):
    """The others are neither restored nor initialised: the readiness check names them."""
    def model_fn(features, labels, mode):
        out = v1.layers.dense(v1.layers.dense(features, 3, name="a"), 1, name="b")
        if mode != ModeKeys.PREDICT:
            return spec_for(mode, out, labels)
        kernel = v1.trainable_variables()[0]
        scaffold = v1.train.Scaffold(saver=v1.train.Saver(var_list=[kernel]))
        return EstimatorSpec(mode, predictions=out, scaffold=scaffold)

    est = Estimator(model_fn, model_dir=str(tmp_path), config=quiet_config())
    est.train(train_input(), steps=1)
    with pytest.raises(RuntimeError, match=r"^Init operations did not make model ready for "
                       r"local_init\.  Init op: group_deps, init fn: None, error: Variables not "
                       r"initialized: global_step, a/bias, b/kernel, b/bias$"):
        next(iter(est.predict(predict_input())))


def test_reuse_true_outside_train_says_variable_does_not_exist(tmp_path):
    def model_fn(features, labels, mode):
        reuse = mode != ModeKeys.TRAIN  # "build once in TRAIN, reuse later": wrong
        with v1.variable_scope("model", reuse=reuse):
            out = v1.layers.dense(features, 1, name="linear")
        return spec_for(mode, out, labels)

    est = Estimator(model_fn, model_dir=str(tmp_path), config=quiet_config())
    est.train(train_input(), steps=2)
    with pytest.raises(ValueError, match=r"Variable model/linear/kernel does not exist, or "
                       r"was not created with tf.get_variable\(\)"):
        next(iter(est.predict(predict_input())))


def branches_model_fn(features, labels, mode, params):
    """Two auto-named branches of equal shape; params['swap'] builds them in other order."""
    def relu_branch():
        return v1.layers.dense(features, 4, activation=tf.nn.relu)

    def tanh_branch():
        return v1.layers.dense(features, 4, activation=tf.nn.tanh)

    if params["swap"] and mode != ModeKeys.TRAIN:
        tanh_out, relu_out = tanh_branch(), relu_branch()  # now 'dense' is the tanh branch
    else:
        relu_out, tanh_out = relu_branch(), tanh_branch()
    out = v1.layers.dense(tf.concat([relu_out, tanh_out], axis=1), 1)
    return spec_for(mode, out, labels, lr=0.05)


def test_swapped_auto_named_layers_with_equal_shapes_restore_silently(tmp_path):
    trained = Estimator(branches_model_fn, model_dir=str(tmp_path), config=quiet_config(),
                        params={"swap": False})
    trained.train(train_input(), steps=400)
    honest = trained.evaluate(eval_input)["loss"]
    swapped = Estimator(branches_model_fn, model_dir=str(tmp_path), config=quiet_config(),
                        params={"swap": True})
    silent = swapped.evaluate(eval_input)["loss"]  # no error at all
    assert silent > 5 * honest
    restored = swapped.recorder.of_kind("checkpoint_restored")[0].data
    assert restored["step"] == 400


def test_shape_change_with_resource_variables_passes_and_old_shape_wins(tmp_path):
    def make(hidden):
        return Estimator(regression_model_fn, model_dir=str(tmp_path), config=quiet_config(),
                         params={"hidden": hidden, "dict_predictions": True})

    make(8).train(train_input(), steps=2)
    wider = make(16)
    first = next(iter(wider.predict(predict_input())))  # no error
    assert first["h"].shape == (8,)  # the checkpoint's shape, not the 16 asked for
    kernels = [e.data for e in wider.recorder.of_kind("variable_created")
               if e.data["name"] == "model/dense/kernel"]
    assert kernels[0]["shape"] == [3, 16]


def test_dropout_active_in_every_mode_makes_predict_differ(tmp_path):
    def model_fn(features, labels, mode):
        hidden = v1.layers.dense(features, 32, activation=tf.nn.relu)
        hidden = v1.layers.dropout(hidden, rate=0.5, training=True)  # wrong: every mode
        return spec_for(mode, v1.layers.dense(hidden, 1), labels)

    unseeded = RunConfig(log_step_count_steps=None)
    est = Estimator(model_fn, model_dir=str(tmp_path), config=unseeded)
    est.train(train_input(), steps=3)
    one = np.array(list(est.predict(predict_input())))
    two = np.array(list(est.predict(predict_input())))
    assert not np.allclose(one, two)
    # with tf_random_seed every call's fresh graph gets the same op seeds: same masks
    seeded = Estimator(model_fn, model_dir=str(tmp_path), config=quiet_config())
    three = np.array(list(seeded.predict(predict_input())))
    np.testing.assert_array_equal(three, np.array(list(seeded.predict(predict_input()))))


def test_batch_norm_without_update_ops_never_moves_its_statistics(tmp_path):
    def model_fn(features, labels, mode):
        normed = v1.layers.batch_normalization(features, training=mode == ModeKeys.TRAIN)
        return spec_for(mode, v1.layers.dense(normed, 1), labels)  # no UPDATE_OPS

    est = Estimator(model_fn, model_dir=str(tmp_path),
                    config=quiet_config(save_checkpoints_steps=5))
    est.train(train_input(), steps=12)
    built = est.recorder.of_kind("graph_built")[0].data
    assert built["collections"]["update_ops"] == 2
    for step in (0, 5, 10, 12):
        reader = tf.train.load_checkpoint(os.path.join(est.model_dir, f"model.ckpt-{step}"))
        np.testing.assert_array_equal(
            reader.get_tensor("batch_normalization/moving_mean"), np.zeros(3))
        np.testing.assert_array_equal(
            reader.get_tensor("batch_normalization/moving_variance"), np.ones(3))
    assert not np.allclose(est.get_variable_value("batch_normalization/gamma"), 1.0)


def test_shape_change_with_ref_variables_raises_assign_shape_error(tmp_path):
    def model_fn(features, labels, mode, params):
        kernel = v1.get_variable("kernel", [3, params["hidden"]], use_resource=False)
        out = tf.reduce_sum(tf.matmul(features, kernel), axis=1, keepdims=True)
        return spec_for(mode, out, labels)

    Estimator(model_fn, model_dir=str(tmp_path), config=quiet_config(),
              params={"hidden": 8}).train(train_input(), steps=1)
    wider = Estimator(model_fn, model_dir=str(tmp_path), config=quiet_config(),
                      params={"hidden": 16})
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="Assign requires shapes of both tensors to match"):
        wider.evaluate(eval_input)


def test_empty_predictions_dict_raises_type_error_instead_of_looping(tmp_path):
    """tf.estimator 2.15 raises on range(None); returning 0 made predict() loop forever."""
    def model_fn(features, labels, mode):
        out = v1.layers.dense(features, 1)
        return EstimatorSpec(mode, predictions={}) if mode == ModeKeys.PREDICT else \
            spec_for(mode, out, labels)

    est = Estimator(model_fn, model_dir=str(tmp_path), config=quiet_config())
    est.train(train_input(), steps=1)
    with pytest.raises(TypeError, match="'NoneType' object cannot be interpreted as an integer"):
        next(est.predict(predict_input()))
    batches = est.predict(predict_input(), yield_single_examples=False)
    assert [next(batches), next(batches)] == [{}, {}]
    batches.close()


def test_plain_tensor_predict_input_yields_forever_unless_a_limit_is_set(tmp_path, monkeypatch):
    """tf.estimator 2.15 warns and yields the same batch forever; the checker's limit
    turns that into EndlessPredictInput after ENDLESS_INPUT_LIMIT predictions."""
    from itertools import islice

    from ckptlab.estimator import predicting

    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    est = Estimator(regression_model_fn, model_dir=str(tmp_path), config=quiet_config(),
                    params={})
    est.train(train_input(), steps=1)
    assert predicting.ENDLESS_INPUT_LIMIT is None  # 2.15's behaviour unless a check sets it
    assert len(list(islice(est.predict(lambda: tf.constant(x)), 50))) == 50
    monkeypatch.setattr(predicting, "ENDLESS_INPUT_LIMIT", 7)
    with pytest.raises(predicting.EndlessPredictInput, match="stopped after 7 predictions"):
        list(est.predict(lambda: tf.constant(x)))
    finite = lambda: tf.data.Dataset.from_tensor_slices(x).batch(1)  # noqa: E731
    assert len(list(est.predict(finite))) == 2


def test_a_check_in_the_learners_own_process_leaves_the_engine_as_it_found_it():
    """The kernel-thread fallback stops endless predicts for the check only: the learner's
    own predict() calls afterwards behave as tf.estimator 2.15's."""
    from ckptlab.checker.runners.tracks import ENDLESS_PREDICT_LIMIT, prepared
    from ckptlab.estimator import predicting

    assert predicting.ENDLESS_INPUT_LIMIT is None
    with prepared("estimator"):
        assert predicting.ENDLESS_INPUT_LIMIT == ENDLESS_PREDICT_LIMIT
    assert predicting.ENDLESS_INPUT_LIMIT is None
