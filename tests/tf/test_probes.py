"""The checker's probe inputs (Estimator track) and the model as saved run on them.

Probes keep the structure, dtypes and ranges of the learner's features (int ids that
index an embedding stay in range, strings come from a vocabulary the data uses) with
values of the checker's own, the same in every process; the mode tracer's graphs run on
them with trained values loaded by name. The judge compares those outputs with the
restored model's only for the same probes, and names from the checkpoint on disk the
variables the model computed with that it does not hold.
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from ckptlab.checker.judge import judge
from ckptlab.checker.runners.probes import (
    NotComparable,
    digest,
    load_probe,
    make_probe,
    predicted_outputs,
    save_probe,
    saved_outputs,
)
from ckptlab.mode_names import PREDICT
from ckptlab.trace.modes import trace_modes

pytestmark = pytest.mark.tf

_v1 = tf.compat.v1
BATCH = {"x": np.linspace(-1.0, 1.0, 24, dtype=np.float32).reshape(6, 4),
         "ids": np.array([[3], [5], [4], [7], [3], [6]], np.int64),
         "word": np.array([b"red", b"blue", b"red", b"green", b"blue", b"red"], object)}


def test_probes_have_the_features_structure_and_ranges_but_their_own_values(tmp_path):
    probe = make_probe(BATCH, 16)
    assert sorted(probe) == ["ids", "word", "x"]
    assert probe["x"].shape == (16, 4) and probe["x"].dtype == np.float32
    assert probe["ids"].dtype == np.int64 and probe["ids"].min() >= 3 and probe["ids"].max() <= 7
    assert set(probe["word"].tolist()) <= {b"red", b"blue", b"green"}
    assert not np.isin(probe["x"], BATCH["x"]).any()  # not the learner's values
    again = make_probe(BATCH, 16)
    assert digest(again) == digest(probe)  # seeded: the same in every process
    save_probe(probe, tmp_path / "probe.npz")
    assert digest(load_probe(tmp_path / "probe.npz")) == digest(probe)
    assert load_probe(tmp_path / "missing.npz") is None


def _model_fn(features, labels, mode):
    table = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer(
        tf.constant(["red", "blue", "green"]), tf.constant([0, 1, 2], tf.int64)), -1)
    colour = tf.one_hot(table.lookup(features["word"]), 3)
    embedded = tf.reshape(tf.nn.embedding_lookup(
        _v1.get_variable("embed", [8, 2]), features["ids"]), [-1, 2])
    hidden = tf.concat([features["x"], embedded, colour], axis=1)
    output = tf.matmul(hidden, _v1.get_variable("out/kernel", [9, 1]))
    spec = {"mode": mode, "predictions": {"y": output}}
    if mode != PREDICT:
        loss = tf.reduce_mean(tf.square(output - labels))
        spec.update(loss=loss, train_op=_v1.assign_add(_v1.train.get_global_step(), 1))
    from ckptlab.estimator import EstimatorSpec

    return EstimatorSpec(**spec)


def _input_fn():
    labels = np.zeros((6, 1), np.float32)
    return tf.data.Dataset.from_tensor_slices(({**BATCH, "word": BATCH["word"].astype(str)},
                                               labels)).batch(6)


def _traced():
    builds = {}
    report = trace_modes(_model_fn, input_fn=_input_fn,
                         on_graph=lambda mode, graph, build: builds.update({mode: (graph,
                                                                                   build)}))
    assert not any(trace.error for trace in report.modes), report
    with builds[PREDICT][0].as_default():
        names = {v.op.name: v.shape.as_list() for v in _v1.global_variables()}
    rng = np.random.default_rng(3)  # as a session holds them (global_step a 0-d array)
    values = {name: rng.normal(size=shape).astype(np.float32) for name, shape in names.items()}
    return builds, values


def test_the_traced_graphs_run_on_the_probes_with_trained_values():
    builds, values = _traced()
    probe = make_probe({**BATCH, "word": BATCH["word"].astype(bytes)}, 16)
    record = saved_outputs(builds, values, probe, 16)
    assert record["digest"] == digest(probe)
    assert np.asarray(record["outputs"]).shape == (16, 1)
    np.testing.assert_allclose(record["eval_outputs"], record["outputs"])  # same model
    # the variables the outputs are computed from, given the trained values (not the step)
    assert sorted(record["loaded"]) == sorted(set(values) - {"global_step"})
    assert record["local"] == []
    other = {**values, "out/kernel": values["out/kernel"] + 1}
    assert saved_outputs(builds, other, probe, 16)["outputs"] != record["outputs"]
    with pytest.raises(NotComparable, match="not_in_session: embed"):
        saved_outputs(builds, {k: v for k, v in values.items() if k != "embed"}, probe, 16)


def test_a_session_s_values_run_in_the_predict_graph_twice():
    """The resumed train()'s model when EVAL has nothing to compare: the PREDICT graph run
    twice with its session's values, the same outputs as the model as saved for the same
    values, other outputs for others."""
    builds, values = _traced()
    probe = make_probe({**BATCH, "word": BATCH["word"].astype(bytes)}, 16)
    saved = saved_outputs(builds, values, probe, 16)
    record = predicted_outputs(builds[PREDICT], values, probe, 16)
    assert record["digest"] == saved["digest"] and record["loss"] == []
    assert record["outputs"] == [saved["outputs"], saved["outputs"]]
    other = {**values, "out/kernel": values["out/kernel"] + 1}
    assert predicted_outputs(builds[PREDICT], other, probe, 16)["outputs"][0] \
        != saved["outputs"]


def _checkpoint(folder, names):
    with tf.Graph().as_default():
        variables = [_v1.get_variable(name, [2], initializer=_v1.ones_initializer())
                     for name in names]
        step = _v1.train.get_or_create_global_step()
        with _v1.Session() as session:
            session.run(_v1.global_variables_initializer())
            _v1.train.Saver([*variables, step]).save(session, str(folder / "model.ckpt"),
                                                    global_step=3)


def test_the_judge_compares_outputs_on_the_same_probes_and_reads_what_is_unsaved(tmp_path):
    model_dir = tmp_path / "model_dir"
    _checkpoint(model_dir, ["w"])
    obs = {"track": "estimator", "stages": ["train", "predict"], "errors": [],
           "estimator": {"model_dir": "model_dir",
                         "train": {"session_runs": 3, "checkpoints": ["model.ckpt-3"],
                                   "end_values": {"w": [1.0, 1.0], "global_step": [3.0]}},
                         "probe": {"digest": "abc", "outputs": [[1.0], [2.0]],
                                   "eval_outputs": [[1.0], [3.0]],
                                   "loaded": ["w", "global_step", "stat", "mean/total"],
                                   "local": ["mean/total"]},
                         "predict": {"examples": 2, "largest_gap": 0.0,
                                     "fixed_outputs": [[[1.0], [2.5]], [[1.0], [2.5]]],
                                     "probe_digest": "abc"}}}
    judged = judge(obs, tmp_path)["judged"]
    assert judged["saved_output_gap"] == pytest.approx(0.5 / 3.0)  # relative to max |y| + 1
    assert judged["eval_predict_gap"] == pytest.approx(1.0 / 3.0)
    assert judged["unsaved_variables"] == ["mean/total", "stat"]  # not in model.ckpt-3
    obs["estimator"]["predict"]["probe_digest"] = "other"  # restored on other probes
    assert judge(obs, tmp_path)["judged"].get("saved_output_gap") is None
    # evaluate/predict sessions that held other values than the checkpoint they restored
    obs["estimator"]["restored"] = {"predict": {"w": [0.0, 0.0]}, "evaluate": {"w": [1.0, 1.0]}}
    gaps = judge(obs, tmp_path)["judged"]["overwritten_in"]
    assert list(gaps) == ["predict"] and gaps["predict"][0]["name"] == "w"
