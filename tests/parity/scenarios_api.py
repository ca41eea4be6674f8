"""Parity scenarios for the rest of tf.estimator 2.15's public API (issue 15).

Imported at the end of scenarios.py, so `@scenario` registers these too. Argument checks
are collected as {case: "ErrorClass: message"} so one scenario compares many messages;
values that would print object addresses are avoided (strings stand for wrong objects).
"""

from __future__ import annotations

import os
import re

import tensorflow.compat.v1 as tf
from scenarios import (
    X,
    Y,
    estimator,
    eval_input,
    model_fn,
    predict_input,
    predictions,
    rounded,
    scenario,
    serving_input,
    train_input,
)


def raised(function, *args, **kwargs) -> str:
    """'ErrorClass: message' of what function(*args) raises, or 'no error'."""
    try:
        function(*args, **kwargs)
    except Exception as error:
        return re.sub(r" at 0x[0-9a-f]+", "", f"{type(error).__name__}: {error}")
    return "no error"


def eval_scalars(directory) -> dict:
    """{step: {tag: value}} of the scalar summaries in an eval directory."""
    found: dict = {}
    for name in sorted(os.listdir(directory)):
        if name.startswith("events.out.tfevents."):
            for event in tf.train.summary_iterator(os.path.join(directory, name)):
                for value in event.summary.value:
                    if value.HasField("simple_value"):
                        found.setdefault(str(event.step), {})[value.tag] = rounded(
                            value.simple_value)
    return found


def eval_tags(directory) -> list:
    tags = set()
    for name in os.listdir(directory):
        if name.startswith("events.out.tfevents."):
            for event in tf.train.summary_iterator(os.path.join(directory, name)):
                tags.update(value.tag for value in event.summary.value)
    return sorted(tags)


def metric_model_fn(features, labels, mode, params):
    """model_fn whose EVAL spec carries what params asks for in eval_metric_ops."""
    spec = model_fn(features, labels, mode, {})
    if mode != tf.estimator.ModeKeys.EVAL:
        return spec
    out = tf.matmul(features["x"], tf.ones([4, 1]))
    metrics = dict(spec.eval_metric_ops)
    if params.get("keras_metric"):
        mean = tf.keras.metrics.Mean(name="mean_out")
        if params.get("update_state", True):
            mean.update_state(out)
        metrics["keras_mean"] = mean
    if params.get("image_metric"):
        metrics["picture"] = (tf.summary.image("picture", tf.zeros([3, 2, 2, 1]),
                                               max_outputs=2), tf.no_op())
    return spec._replace(eval_metric_ops=metrics)


def metric_estimator(ws, **params):
    return tf.estimator.Estimator(metric_model_fn, model_dir=ws.dir("model"), params=params)


@scenario
def keras_metric_object_in_eval_metric_ops(ws):
    est = metric_estimator(ws, keras_metric=True)
    est.train(train_input(), steps=2)
    return rounded(est.evaluate(eval_input))


@scenario
def keras_metric_without_update_state(ws):
    est = metric_estimator(ws, keras_metric=True, update_state=False)
    est.train(train_input(), steps=1)
    est.evaluate(eval_input)


@scenario
def evaluate_writes_summary_metrics_as_key_slash_n(ws):
    est = metric_estimator(ws, image_metric=True)
    est.train(train_input(), steps=1)
    metrics = est.evaluate(eval_input)
    return {"result_keys": sorted(metrics), "eval_tags": eval_tags(est.eval_dir())}


class NotAHook:
    def __repr__(self):
        return "NotAHook"


@scenario
def train_and_eval_spec_argument_checks(ws):
    def input_fn():
        return eval_input()
    exporter = tf.estimator.LatestExporter("latest", serving_input)
    spec = tf.estimator.EvalSpec
    return {
        "train: input_fn": raised(tf.estimator.TrainSpec, "not callable"),
        "train: max_steps": raised(tf.estimator.TrainSpec, input_fn, max_steps=0),
        "train: hooks": raised(tf.estimator.TrainSpec, input_fn, hooks=[NotAHook()]),
        "train: listeners": raised(tf.estimator.TrainSpec, input_fn,
                                   saving_listeners=[NotAHook()]),
        "eval: steps": raised(spec, input_fn, steps=-1),
        "eval: name": raised(spec, input_fn, name=3),
        "eval: hooks": raised(spec, input_fn, hooks=[NotAHook()]),
        "eval: start delay": raised(spec, input_fn, start_delay_secs=-1),
        "eval: throttle": raised(spec, input_fn, throttle_secs=-1),
        "eval: exporter type": raised(spec, input_fn, exporters=[NotAHook()]),
        "eval: exporter names": raised(spec, input_fn, exporters=[exporter, exporter]),
        "eval: one exporter": len(spec(input_fn, exporters=exporter).exporters),
        "train_and_evaluate: estimator": raised(
            tf.estimator.train_and_evaluate, "not an estimator",
            tf.estimator.TrainSpec(input_fn), spec(input_fn)),
        "train_and_evaluate: eval_spec": raised(
            tf.estimator.train_and_evaluate, estimator(ws), tf.estimator.TrainSpec(input_fn),
            "not a spec"),
    }


@scenario
def serving_receiver_argument_checks(ws):
    x = tf.placeholder(tf.float32, [None, 4])
    receiver = tf.estimator.export.ServingInputReceiver
    tensor_receiver = tf.estimator.export.TensorServingInputReceiver
    return {
        "features not a tensor": raised(receiver, {"x": "text"}, {"x": x}),
        "features None": raised(receiver, None, {"x": x}),
        "receiver key not a string": raised(receiver, {"x": x}, {1: x}),
        "receiver not a tensor": raised(receiver, {"x": x}, {"x": [1.0]}),
        "alternatives not a dict": raised(receiver, {"x": x}, {"x": x}, "alternative"),
        "int feature key": sorted(map(str, receiver({7: x}, x).features)),
        "tensor receiver features": raised(tensor_receiver, {"x": x}, {"x": x}),
        "tensor receiver None": raised(tensor_receiver, None, {"x": x}),
        "raw supervised overlap": raised(
            tf.estimator.experimental.build_raw_supervised_input_receiver_fn,
            {"x": x}, {"x": x}),
    }


@scenario
def run_config_argument_checks(ws):
    config = tf.estimator.RunConfig
    base = config()
    return {
        "empty model_dir": raised(config, model_dir=""),
        "negative summary steps": raised(config, save_summary_steps=-1),
        "negative checkpoint steps": raised(config, save_checkpoints_steps=-1),
        "float seed": raised(config, tf_random_seed=1.5),
        "zero keep hours": raised(config, keep_checkpoint_every_n_hours=0),
        "zero log steps": raised(config, log_step_count_steps=0),
        "device_fn args": raised(config, device_fn=lambda device: None),
        "timeout": raised(config, session_creation_timeout_secs=0),
        "worker delay": raised(config, experimental_max_worker_delay_secs=1.5),
        "protocol": raised(config, protocol="http"),
        "session_config": raised(config, session_config="not a proto"),
        "unknown argument": raised(config, not_a_setting=1),
        "replace empty model_dir": raised(base.replace, model_dir=""),
        "replace negative max": raised(base.replace, keep_checkpoint_max=-1),
        "replace unknown": raised(base.replace, cluster_spec=None),
        "defaults": {name: getattr(base, name) for name in (
            "session_creation_timeout_secs", "checkpoint_save_graph_def", "device_fn",
            "experimental_max_worker_delay_secs", "service", "task_type", "task_id",
            "is_chief", "num_ps_replicas", "num_worker_replicas", "master",
            "evaluation_master", "global_id_in_cluster", "protocol", "train_distribute")},
    }


@scenario
def run_config_without_graph_def_and_with_device_fn(ws):
    """checkpoint_save_graph_def=False writes no graph.pbtxt and no .meta files."""
    config = tf.estimator.RunConfig(checkpoint_save_graph_def=False,
                                    device_fn=lambda op: "/cpu:0",
                                    session_creation_timeout_secs=30)
    est = estimator(ws, config=config)
    est.train(train_input(), steps=2)
    return {"device_fn_kept": est.config.device_fn is not None,
            "timeout": est.config.session_creation_timeout_secs}


@scenario
def learner_scaffold_saver_is_not_modified(ws):
    """The recorder must not replace methods of the learner's own Saver."""
    savers = []

    def saver_model_fn(features, labels, mode, params):
        spec = model_fn(features, labels, mode, params)
        savers.append(tf.train.Saver())
        return spec._replace(scaffold=tf.train.Scaffold(saver=savers[-1]))
    est = tf.estimator.Estimator(saver_model_fn, model_dir=ws.dir("model"), params={})
    est.train(train_input(), steps=2)
    est.evaluate(eval_input)
    predictions_made = len(list(est.predict(predict_input(4))))
    return {"restore_replaced": ["restore" in vars(saver) for saver in savers],
            "predictions": predictions_made}


@scenario
def subclass_cannot_override_estimator_members(ws):
    class OverridingEstimator(tf.estimator.Estimator):
        def predict(self, input_fn, predict_keys=None, hooks=None, checkpoint_path=None,
                    yield_single_examples=True):
            return []

    class ExtendingEstimator(tf.estimator.Estimator):
        def describe(self):
            return "extra method"

    made = ExtendingEstimator(model_fn, model_dir=ws.dir("extended"), params={})
    message = raised(OverridingEstimator, model_fn, model_dir=ws.dir("model"), params={})
    return {"override": message.replace(__name__, "<module>"), "extend": made.describe()}


@scenario
def model_fn_property_and_call_logit_fn(ws):
    est = estimator(ws, params={"hidden": 3})
    features = {"x": tf.constant(X[:2])}
    spec = est.model_fn(features, None, tf.estimator.ModeKeys.PREDICT, est.config)
    logits = tf.estimator.experimental.call_logit_fn(
        lambda features, mode: features["x"] * 2.0, features, "train", None, None)
    return {"spec_mode": spec.mode, "prediction_keys": sorted(spec.predictions),
            "variables": sorted(v.op.name for v in tf.global_variables()),
            "logits_shape": logits.shape.as_list(),
            "bad logit_fn": raised(tf.estimator.experimental.call_logit_fn,
                                   lambda features: "text", features, "train", None, None)}


def early_stopping_estimator(ws, name):
    config = tf.estimator.RunConfig(save_checkpoints_steps=2)
    return estimator(ws, model_dir=name, config=config)


@scenario
def early_stopping_hooks(ws):
    est = early_stopping_estimator(ws, "model")
    est.train(train_input(), steps=2)
    est.evaluate(eval_input, steps=1)
    experimental = tf.estimator.experimental
    hook = experimental.stop_if_lower_hook(est, "loss", 1e9, run_every_secs=None,
                                           run_every_steps=1)
    est.train(train_input(), steps=20, hooks=[hook])
    never = experimental.stop_if_higher_hook(est, "loss", 1e9, run_every_secs=None,
                                             run_every_steps=1)
    stalled = experimental.stop_if_no_decrease_hook(est, "loss", 1, run_every_secs=None,
                                                    run_every_steps=1)
    est.evaluate(eval_input, steps=1)
    est.train(train_input(), steps=3, hooks=[never])
    est.evaluate(eval_input, steps=1)
    est.train(train_input(), steps=10, hooks=[stalled])
    return {"global_step": int(est.get_variable_value("global_step")),
            "stop variable": est.get_variable_value("signal_early_stopping/STOP").item(),
            "both set": raised(experimental.make_early_stopping_hook, est, lambda: True,
                               run_every_secs=1, run_every_steps=1),
            "not an estimator": raised(experimental.make_early_stopping_hook, "est",
                                       lambda: True),
            "not callable": raised(experimental.make_early_stopping_hook, est, "no"),
            "checkpoint step hook": type(experimental.make_stop_at_checkpoint_step_hook(
                est, 5)).__name__}


@scenario
def in_memory_evaluator_hook(ws):
    est = estimator(ws)
    hook = tf.estimator.experimental.InMemoryEvaluatorHook(est, eval_input, steps=2,
                                                           every_n_iter=3)
    est.train(train_input(), steps=7, hooks=[hook])
    return {"eval": eval_scalars(est.eval_dir()),
            "bad every_n_iter": raised(tf.estimator.experimental.InMemoryEvaluatorHook,
                                       est, eval_input, every_n_iter=0)}


def export_listing(base) -> list:
    """What an export base holds: timestamps become <ts>, files relative."""
    found = []
    for folder, _, names in os.walk(base):
        for name in names:
            relative = os.path.relpath(os.path.join(folder, name), base).split(os.sep)
            found.append("/".join("<ts>" if part.isdigit() else part for part in relative))
    return sorted(found)


@scenario
def exporters_in_train_and_evaluate(ws):
    config = tf.estimator.RunConfig(save_checkpoints_steps=2)
    est = estimator(ws, config=config)
    exporters = [tf.estimator.LatestExporter("latest", serving_input, exports_to_keep=1),
                 tf.estimator.BestExporter(serving_input_receiver_fn=serving_input),
                 tf.estimator.FinalExporter("final", serving_input)]
    _, results = tf.estimator.train_and_evaluate(
        est, tf.estimator.TrainSpec(train_input(), max_steps=6),
        tf.estimator.EvalSpec(eval_input, steps=2, exporters=exporters, throttle_secs=0))
    return {"export results": [result is not None for result in results],
            "exports": export_listing(os.path.join(est.model_dir, "export")),
            "bad keep": raised(tf.estimator.LatestExporter, "x", serving_input,
                               exports_to_keep=0),
            "bad compare_fn": raised(tf.estimator.BestExporter,
                                     compare_fn=lambda best, current: True)}


class _Journal(tf.train.CheckpointSaverListener):
    """A learner's saving listener: notes each save, and may delete the state file."""

    def __init__(self, events, model_dir=None):
        self.events, self.model_dir = events, model_dir

    def after_save(self, session, global_step_value):
        self.events.append(f"saved {global_step_value}")
        if self.model_dir:  # a clean-up gone wrong: latest_checkpoint() finds nothing
            os.remove(os.path.join(self.model_dir, "checkpoint"))


class _NoteEvaluation(tf.train.SessionRunHook):
    def __init__(self, events):
        self.events = events

    def begin(self):
        self.events.append("evaluate")


@scenario
def train_and_evaluate_listeners_and_stale_checkpoint(ws):
    """The learner's listeners run before the evaluation; no new checkpoint is an error;
    nothing evaluated when max_steps was already reached."""
    config = tf.estimator.RunConfig(save_checkpoints_steps=2)
    events: list = []
    est = estimator(ws, config=config)
    spec = tf.estimator.EvalSpec(eval_input, steps=1, throttle_secs=0,
                                 hooks=[_NoteEvaluation(events)])
    tf.estimator.train_and_evaluate(est, tf.estimator.TrainSpec(
        train_input(), max_steps=4, saving_listeners=[_Journal(events)]), spec)
    again = tf.estimator.train_and_evaluate(est, tf.estimator.TrainSpec(
        train_input(), max_steps=4), spec)
    stale = estimator(ws, model_dir="stale", config=config)
    error = raised(tf.estimator.train_and_evaluate, stale, tf.estimator.TrainSpec(
        train_input(), max_steps=4, saving_listeners=[_Journal([], stale.model_dir)]), spec)
    return {"order": events, "max_steps already reached": repr(again), "stale": error}


def saved_model_tags(export_dir) -> list:
    from tensorflow.core.protobuf import saved_model_pb2

    proto = saved_model_pb2.SavedModel()
    with open(os.path.join(export_dir, b"saved_model.pb" if isinstance(export_dir, bytes)
                           else "saved_model.pb"), "rb") as handle:
        proto.ParseFromString(handle.read())
    return sorted([sorted(graph.meta_info_def.tags), sorted(graph.signature_def)]
                  for graph in proto.meta_graphs)


@scenario
def export_all_saved_models_and_assets_extra(ws):
    est = estimator(ws)
    est.train(train_input(), steps=2)
    x, y = tf.placeholder(tf.float32, [None, 4]), tf.placeholder(tf.float32, [None, 1])
    supervised = tf.estimator.experimental.build_raw_supervised_input_receiver_fn(
        {"x": x}, y)
    extra = os.path.join(ws.dir("."), "vocab.txt")
    with open(extra, "w") as handle:
        handle.write("a\nb\n")
    path = est.experimental_export_all_saved_models(
        ws.dir("all"), {"train": supervised, "eval": supervised, "infer": serving_input},
        assets_extra={"extra/vocab.txt": extra})
    old_name = est.export_savedmodel(ws.dir("v1name"), serving_input)
    return {"tags": saved_model_tags(path), "v1 name tags": saved_model_tags(old_name),
            "no modes": raised(est.experimental_export_all_saved_models, ws.dir("none"), {})}


@scenario
def export_parsing_and_unknown_rank_receivers(ws):
    est = estimator(ws)
    est.train(train_input(), steps=2)
    spec = {"x": tf.FixedLenFeature([4], tf.float32)}
    parsing = est.export_saved_model(
        ws.dir("parsing"), tf.estimator.export.build_parsing_serving_input_receiver_fn(spec))
    raw = tf.estimator.export.build_raw_serving_input_receiver_fn(
        {"x": tf.placeholder(tf.float32, shape=None)})
    with tf.Graph().as_default():
        receiver = raw()
        rank = receiver.features["x"].shape.rank
    unknown = est.export_saved_model(ws.dir("raw"), raw)
    return {"parsing": saved_model_tags(parsing), "unknown rank": rank,
            "raw": saved_model_tags(unknown)}


def checkpoint_saver_model_fn(features, labels, mode, params):
    spec = model_fn(features, labels, mode, params)
    with tf.variable_scope("model", reuse=True):
        w1 = tf.get_variable("w1")
    return spec._replace(scaffold=tf.train.Scaffold(saver=tf.train.Checkpoint(w1=w1)))


@scenario
def export_with_checkpoint_saver(ws):
    estimator(ws).train(train_input(), steps=2)
    est = tf.estimator.Estimator(checkpoint_saver_model_fn, model_dir=ws.dir("model"),
                                 params={})
    est.export_saved_model(ws.dir("export"), serving_input)


@scenario
def warm_start_from_saved_model(ws):
    source = estimator(ws, model_dir="source")
    source.train(train_input(), steps=3)
    export_dir = source.export_saved_model(ws.dir("export"), serving_input)
    est = estimator(ws, model_dir="warm", warm_start_from=export_dir)
    est.train(train_input(), steps=1)
    return {name: rounded(est.get_variable_value(name)) for name in ("model/w2", "model/b1")}


@scenario
def numpy_and_pandas_input_fn(ws):
    inputs = tf.estimator.inputs
    train = inputs.numpy_input_fn({"x": X}, Y, batch_size=8, num_epochs=None, shuffle=False)
    est = estimator(ws)
    est.train(train, steps=3)
    evaluated = est.evaluate(inputs.numpy_input_fn({"x": X}, Y, batch_size=8, shuffle=False))
    predicted = list(est.predict(inputs.numpy_input_fn({"x": X[:5]}, batch_size=2,
                                                       shuffle=False)))
    return {"evaluate": rounded(evaluated), "predict": [rounded(p) for p in predicted],
            "shuffle unset": raised(inputs.numpy_input_fn, {"x": X}),
            "lengths": raised(inputs.numpy_input_fn({"x": X}, Y[:3], shuffle=False))}


def columns_model_fn(features, labels, mode):
    """A linear model over two scalar feature columns (what a DataFrame feeds)."""
    x = tf.stack([tf.cast(features[name], tf.float32) for name in ("a", "b")], axis=1)
    w = tf.get_variable("w", [2, 1], initializer=tf.constant_initializer([[0.1], [-0.2]]))
    predicted = tf.squeeze(tf.matmul(x, w), 1)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": predicted})
    loss = tf.losses.mean_squared_error(tf.cast(labels, tf.float32), predicted)
    train_op = tf.train.GradientDescentOptimizer(0.1).minimize(
        loss, tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


@scenario
def pandas_input_fn_feeds_columns(ws):
    import pandas as pd

    inputs = tf.estimator.inputs
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1]})
    target = pd.Series(Y[:, 0])
    est = tf.estimator.Estimator(columns_model_fn, model_dir=ws.dir("model"))
    est.train(inputs.pandas_input_fn(frame, target, batch_size=8, num_epochs=None,
                                     shuffle=False), steps=3)
    evaluated = est.evaluate(inputs.pandas_input_fn(frame, target, batch_size=8,
                                                    shuffle=False))
    predicted = list(est.predict(inputs.pandas_input_fn(frame[:5], batch_size=2,
                                                        shuffle=False)))
    shifted = pd.Series(Y[:, 0], index=range(1, len(Y) + 1))
    clash = frame.assign(target=0.0)
    return {"evaluate": rounded(evaluated), "predict": [rounded(p) for p in predicted],
            "shuffle unset": raised(inputs.pandas_input_fn, frame, target),
            "index mismatch": raised(inputs.pandas_input_fn, frame, shifted, shuffle=False),
            "target column taken": raised(inputs.pandas_input_fn, clash, target,
                                          shuffle=False),
            "target column not a string": raised(inputs.pandas_input_fn, frame, target,
                                                 shuffle=False, target_column=1)}


@scenario
def tensorflow_hooks_under_estimator_names(ws):
    est = estimator(ws)
    est.train(train_input(), steps=2)
    final = tf.estimator.FinalOpsHook({"step": tf.train.get_or_create_global_step()})
    timer = tf.estimator.SecondOrStepTimer(every_steps=2)
    names = ("FeedFnHook", "FinalOpsHook", "GlobalStepWaiterHook", "ProfilerHook",
             "SecondOrStepTimer", "NanLossDuringTrainingError", "VocabInfo")
    return {"available": [hasattr(tf.estimator, name) for name in names],
            "timer": [timer.should_trigger_for_step(step) for step in (0, 1, 2)],
            "final ops hook": type(final).__name__,
            "predictions": len(predictions(est, 4))}



@scenario
def add_metrics_extends_evaluation(ws):
    est = estimator(ws)
    est.train(train_input(), steps=2)

    def metric_fn(features, labels):
        return {"label_mean": tf.metrics.mean(labels),
                "feature_mean": tf.metrics.mean(features["x"])}
    extended = tf.estimator.add_metrics(est, metric_fn)
    return {"metrics": rounded(extended.evaluate(eval_input)),
            "bad metric_fn": raised(tf.estimator.add_metrics, est,
                                    lambda labels, extra: {})}


@scenario
def tf2_namespace_has_no_tf1_names(ws):
    """`tf.estimator` of the TF2 API lacks export_savedmodel and inputs (compat.v1 has them)."""
    import tensorflow as tf2

    v2 = tf2.estimator.Estimator(model_fn, model_dir=ws.dir("model"), params={})
    v1 = tf.estimator.Estimator(model_fn, model_dir=ws.dir("model"), params={})
    return {"v2 export_savedmodel": raised(getattr, v2, "export_savedmodel"),
            "v1 export_savedmodel": hasattr(v1, "export_savedmodel"),
            "v2 inputs": hasattr(tf2.estimator, "inputs"),
            "v1 inputs": hasattr(tf.estimator, "inputs"),
            "v2 is a v1 Estimator": isinstance(v2, tf.estimator.Estimator)}
