"""facts.md "Estimator lifecycle", checked on ckptlab's engine (real TF, real files)."""

from __future__ import annotations

import json
import os
from collections import Counter

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # before TensorFlow: tf.compat.v1.layers

import numpy as np
import pytest
import tensorflow as tf

from ckptlab.estimator import Estimator, RunConfig
from tests.helpers.estimator_models import (
    X,
    eval_input,
    predict_input,
    quiet_config,
    regression_model_fn,
    train_input,
)

v1 = tf.compat.v1


def make(tmp_path, params=None, **config):
    return Estimator(regression_model_fn, model_dir=str(tmp_path / "model"),
                     config=quiet_config(**config), params=params or {})


def counts(est):
    events = est.recorder.events
    return (len(est.recorder.of_kind("model_fn_called")),
            len(est.recorder.of_kind("checkpoint_restored")),
            len({e.data["graph"] for e in events if e.kind == "model_fn_called"}))


def test_train_once_then_again_calls_model_fn_per_call_and_restores_once(tmp_path):
    est = make(tmp_path)
    est.train(train_input(), steps=3)
    assert counts(est) == (1, 0, 1)
    est.train(train_input(), steps=3)
    assert counts(est) == (2, 1, 2)
    restored = est.recorder.of_kind("checkpoint_restored")[0].data
    assert restored["step"] == 3 and restored["path"].endswith("model.ckpt-3")


def test_evaluate_predict_and_export_each_build_a_graph_and_restore(tmp_path):
    est = make(tmp_path)
    est.train(train_input(), steps=2)
    est.evaluate(eval_input)
    assert counts(est) == (2, 1, 2)
    assert len(list(est.predict(predict_input(rows=10)))) == 10
    assert counts(est) == (3, 2, 3)
    for row in range(10):
        next(iter(est.predict(predict_input(rows=1 + row % 2, batch=1))))
    assert counts(est) == (13, 12, 13)
    est.export_saved_model(str(tmp_path / "export"), serving_receiver_fn)
    assert counts(est) == (14, 13, 14)
    assert Counter(e.data["mode"] for e in est.recorder.events
                   if e.kind == "model_fn_called") == {
        "train": 1, "eval": 1, "infer": 12}


def test_tensor_from_an_earlier_call_is_from_another_graph(tmp_path):
    kept = {}

    def model_fn(features, labels, mode):
        weight = v1.get_variable("w", [3, 1])
        out = tf.matmul(features, weight) + kept.get("bias", 0.0)
        kept.setdefault("bias", v1.get_variable("b", [1]))
        loss = tf.reduce_mean(tf.square(out - labels))
        return tf_spec(mode, out, loss)

    est = Estimator(model_fn, model_dir=str(tmp_path), config=quiet_config())
    est.train(train_input(), steps=1)
    with pytest.raises(ValueError, match="must be from the same graph"):
        est.train(train_input(), steps=1)


def tf_spec(mode, out, loss):
    from ckptlab.estimator import EstimatorSpec
    step = v1.train.get_global_step()
    train_op = v1.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    return EstimatorSpec(mode, predictions=out, loss=loss, train_op=train_op)


def test_model_dir_holds_tf_estimator_files_and_saves_first_and_last_step(tmp_path):
    est = make(tmp_path)
    est.train(train_input(), steps=7)
    est.evaluate(eval_input)
    files = set(os.listdir(est.model_dir))
    expected = {"checkpoint", "graph.pbtxt", "eval"} | {
        f"model.ckpt-{step}.{ext}" for step in (0, 7)
        for ext in ("index", "data-00000-of-00001", "meta")}
    assert expected <= files
    assert any(name.startswith("events.out.tfevents.") for name in files)
    assert any(n.startswith("events.out.tfevents.") for n in os.listdir(est.eval_dir()))
    saved = [e.data["step"] for e in est.recorder.of_kind("checkpoint_saved")]
    assert saved == [0, 7]
    graph_text = (tmp_path / "model" / "graph.pbtxt").read_text()
    assert 'name: "model/dense/kernel"' in graph_text
    with tf.Graph().as_default() as graph:
        v1.train.import_meta_graph(os.path.join(est.model_dir, "model.ckpt-7.meta"))
        assert "model/dense_1/kernel" in {op.name for op in graph.get_operations()}


def test_save_checkpoints_steps_and_keep_checkpoint_max(tmp_path):
    est = make(tmp_path, save_checkpoints_steps=2, keep_checkpoint_max=2)
    est.train(train_input(), steps=9)
    saved = [e.data["step"] for e in est.recorder.of_kind("checkpoint_saved")]
    assert saved == [0, 2, 4, 6, 8, 9]
    kept = sorted(name for name in os.listdir(est.model_dir) if name.endswith(".index"))
    assert kept == ["model.ckpt-8.index", "model.ckpt-9.index"]
    assert not [n for n in os.listdir(est.model_dir) if n.startswith("model.ckpt-6")]
    state = tf.train.get_checkpoint_state(est.model_dir)
    assert [os.path.basename(p) for p in state.all_model_checkpoint_paths] == [
        "model.ckpt-8", "model.ckpt-9"]


def test_run_config_defaults_match_tf_estimator():
    config = RunConfig()
    assert (config.save_checkpoints_secs, config.save_checkpoints_steps) == (600, None)
    assert (config.keep_checkpoint_max, config.keep_checkpoint_every_n_hours) == (5, 10000)
    assert (config.save_summary_steps, config.log_step_count_steps) == (100, 100)
    assert RunConfig(save_checkpoints_steps=10).save_checkpoints_secs is None
    assert RunConfig(save_checkpoints_secs=5).save_checkpoints_steps is None
    with pytest.raises(ValueError, match="cannot be both set"):
        RunConfig(save_checkpoints_steps=1, save_checkpoints_secs=1)


def test_model_dir_none_uses_a_temporary_dir_that_gets_checkpoints(caplog):
    est = Estimator(regression_model_fn, config=quiet_config(), params={})
    warnings = [e.data["message"] for e in est.recorder.of_kind("warning")]
    assert warnings == [f"Using temporary folder as model directory: {est.model_dir}"]
    est.train(train_input(), steps=2)
    assert est.latest_checkpoint() == os.path.join(est.model_dir, "model.ckpt-2")


def test_predict_and_evaluate_without_checkpoint_log_and_use_initial_values(tmp_path):
    est = make(tmp_path)
    first = np.array(list(est.predict(predict_input())))
    logs = [e.data["message"] for e in est.recorder.of_kind("log")]
    assert logs == [f"Could not find trained model in model_dir: {est.model_dir}, "
                    "running initialization to predict."]
    assert first.shape == (10, 1) and np.all(np.isfinite(first))
    results = est.evaluate(eval_input)
    assert results["global_step"] == 0 and results["loss"] > 0
    assert est.recorder.of_kind("log")[-1].data["message"].endswith("to evaluate.")
    assert est.latest_checkpoint() is None


def test_export_without_checkpoint_raises_and_with_one_loads_on_tf2(tmp_path):
    est = make(tmp_path)
    with pytest.raises(ValueError, match=r"^Couldn't find trained model at .*model\.$"):
        est.export_saved_model(str(tmp_path / "export"), serving_receiver_fn)
    est.train(train_input(), steps=3)
    path = est.export_saved_model(str(tmp_path / "export"), serving_receiver_fn)
    assert isinstance(path, bytes) and os.path.isdir(path)
    loaded = tf.saved_model.load(path.decode())
    serve = loaded.signatures["serving_default"]
    served = serve(x=tf.constant(X[:4]))
    predicted = np.array(list(est.predict(predict_input(rows=4, batch=4))))
    np.testing.assert_allclose(next(iter(served.values())).numpy(), predicted, rtol=1e-5)


def serving_receiver_fn():
    from ckptlab.estimator.exporting import TensorServingInputReceiver
    x = v1.placeholder(tf.float32, [None, 3], name="x")
    return TensorServingInputReceiver(x, {"x": x})


def test_tensor_predictions_are_rows_and_dict_predictions_are_dicts(tmp_path):
    est = make(tmp_path, params={"dict_predictions": True})
    rows = list(est.predict(predict_input(rows=6, batch=4)))
    assert len(rows) == 6 and set(rows[0]) == {"y", "h"} and rows[0]["h"].shape == (4,)
    only_y = next(iter(est.predict(predict_input(), predict_keys=["y"])))
    assert set(only_y) == {"y"}
    batches = list(est.predict(predict_input(rows=6, batch=4), yield_single_examples=False))
    assert [b["y"].shape for b in batches] == [(4, 1), (2, 1)]
    plain = make(tmp_path / "plain")
    assert next(iter(plain.predict(predict_input()))).shape == (1,)


def test_evaluate_returns_metrics_loss_and_global_step(tmp_path):
    est = make(tmp_path)
    est.train(train_input(), steps=4)
    results = est.evaluate(eval_input, steps=2)
    assert set(results) == {"loss", "mae", "global_step"}
    assert results["global_step"] == 4
    named = est.evaluate(eval_input, name="holdout")
    assert os.path.isdir(os.path.join(est.model_dir, "eval_holdout"))
    assert named["loss"] == pytest.approx(float(results["loss"]), rel=0.5)


def test_input_fn_may_return_a_tuple_of_tensors(tmp_path):
    def tuple_input():
        return tf.constant(X[:8]), tf.constant(np.ones((8, 1), "float32"))

    est = make(tmp_path)
    est.train(tuple_input, steps=3)
    assert est.get_variable_value("global_step") == 3
    names = est.get_variable_names()
    assert {"model/dense/kernel", "model/dense_1/bias", "global_step"} <= set(names)


def test_events_are_json_and_recording_can_be_shared_or_off(tmp_path):
    est = make(tmp_path)
    est.train(train_input(), steps=2)
    assert json.loads(est.recorder.to_json())[0]["kind"] == "call_begin"
    shared = Estimator(regression_model_fn, model_dir=est.model_dir, config=quiet_config(),
                       params={}, recorder=est.recorder)
    shared.evaluate(eval_input)
    assert [e.data["api"] for e in est.recorder.of_kind("call_end")] == ["train", "evaluate"]
    silent = Estimator(regression_model_fn, model_dir=est.model_dir, config=quiet_config(),
                       params={}, record=False)
    silent.evaluate(eval_input)
    assert silent.recorder.events == []


def test_warm_start_from_another_model_dir_when_own_has_no_checkpoint(tmp_path):
    source = make(tmp_path / "source")
    source.train(train_input(), steps=30)
    trained_loss = source.evaluate(eval_input)["loss"]
    warm = Estimator(regression_model_fn, model_dir=str(tmp_path / "warm"),
                     config=quiet_config(), params={}, warm_start_from=source.model_dir)
    results = warm.evaluate(eval_input)  # no checkpoint of its own: warm-started weights
    assert results["loss"] == pytest.approx(float(trained_loss), rel=1e-5)
    assert results["global_step"] == 0
    logs = [e.data["message"] for e in warm.recorder.of_kind("log")]
    assert logs[-1].startswith("Warm-starting with WarmStartSettings: WarmStartSettings("
                               f"ckpt_to_initialize_from='{source.model_dir}'")
