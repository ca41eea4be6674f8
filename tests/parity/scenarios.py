"""Parity scenarios: plain TF1-style Estimator code, run unchanged on both sides.

Imported by runner.py AFTER it made `tf.estimator` resolve to the real tf.estimator 2.15
(parity venv) or to ckptlab's engine (main venv, legacy shim installed). Each scenario
takes a `Workspace` (fresh directories) and returns JSON values worth comparing. Weights
start from fixed ramps, so numbers agree across TensorFlow versions.
"""

from __future__ import annotations

import numpy as np
import tensorflow.compat.v1 as tf

SCENARIOS: dict = {}
# log lines that come and go with timing (a loaded machine), compared only where they are
# the point: StepCounterHook may read a stale global step at any step
LOGS_COMPARED_ONLY_IN = {
    "It seems that global step": ("train_op_without_global_step",),
}
X = np.linspace(-1.0, 1.0, 32 * 4, dtype=np.float32).reshape(32, 4)
Y = (X.sum(axis=1, keepdims=True) * 0.5).astype(np.float32)


def scenario(function):
    SCENARIOS[function.__name__] = function
    return function


def ramp(shape, low=-0.5, high=0.5):
    return tf.constant_initializer(np.linspace(low, high, int(np.prod(shape))).reshape(shape))


def rounded(value):
    """Numbers rounded to 4 decimals, arrays as lists: comparable across versions."""
    if isinstance(value, dict):
        return {str(key): rounded(item) for key, item in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [rounded(item) for item in value]
    array = np.asarray(value)
    if array.dtype.kind in "fc":
        return np.round(array.astype(np.float64), 4).tolist()
    if array.dtype.kind in "SUO":
        return str(value)
    return array.tolist()


def model_fn(features, labels, mode, params):
    hidden = params.get("hidden", 8)
    with tf.variable_scope("model"):
        w1 = tf.get_variable("w1", [4, hidden], initializer=ramp([4, hidden]))
        b1 = tf.get_variable("b1", [hidden], initializer=tf.zeros_initializer())
        h = tf.nn.relu(tf.matmul(features["x"], w1) + b1)
        if params.get("dropout") and mode == tf.estimator.ModeKeys.PREDICT:
            h = tf.nn.dropout(h, rate=0.5)  # left on at prediction (TRAIN stays comparable)
        w2 = tf.get_variable("w2", [hidden, 1], initializer=ramp([hidden, 1], -0.3, 0.3))
        out = tf.matmul(h, w2)
        if params.get("predict_only_variable") and mode == tf.estimator.ModeKeys.PREDICT:
            out = out * tf.get_variable("calibration", [], initializer=tf.ones_initializer())
    if mode == tf.estimator.ModeKeys.PREDICT:
        outputs = {} if params.get("empty_predictions") else {"y": out}
        return tf.estimator.EstimatorSpec(mode, predictions=outputs)
    loss = tf.losses.mean_squared_error(labels, out)
    if mode == tf.estimator.ModeKeys.EVAL:
        mae = tf.metrics.mean_absolute_error(labels, out)
        # a Saver of one variable: the others are neither restored nor initialised
        scaffold = (tf.train.Scaffold(saver=tf.train.Saver(var_list=[w1]))
                    if params.get("eval_restores_only_w1") else None)
        return tf.estimator.EstimatorSpec(mode, loss=loss, eval_metric_ops={"mae": mae},
                                          scaffold=scaffold)
    step = None if params.get("no_global_step") else tf.train.get_global_step()
    train_op = tf.train.GradientDescentOptimizer(0.05).minimize(loss, global_step=step)
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


def train_input(repeat=True):
    def input_fn():
        data = tf.data.Dataset.from_tensor_slices(({"x": X}, Y))
        return (data.repeat() if repeat else data).batch(8)
    return input_fn


def eval_input():
    return tf.data.Dataset.from_tensor_slices(({"x": X}, Y)).batch(8)


def predict_input(count):
    return lambda: tf.data.Dataset.from_tensor_slices({"x": X[:count]}).batch(4)


def estimator(ws, model_dir="model", params=None, config=None, **kwargs):
    directory = None if model_dir is None else ws.dir(model_dir)
    return tf.estimator.Estimator(model_fn, model_dir=directory, params=params or {},
                                  config=config, **kwargs)


def predictions(est, count=8, **kwargs):
    return [rounded(item) for item in est.predict(predict_input(count), **kwargs)]


@scenario
def train_once(ws):
    estimator(ws).train(train_input(), steps=5)


@scenario
def train_twice(ws):
    est = estimator(ws)
    est.train(train_input(), steps=5)
    est.train(train_input(), steps=5)
    return {"global_step": int(est.get_variable_value("global_step"))}


@scenario
def evaluate_after_train(ws):
    est = estimator(ws)
    est.train(train_input(), steps=5)
    return rounded(est.evaluate(eval_input))


@scenario
def predict_consumed_fully(ws):
    est = estimator(ws)
    est.train(train_input(), steps=5)
    return predictions(est, 8)


@scenario
def predict_ten_times_one_example(ws):
    est = estimator(ws)
    est.train(train_input(), steps=5)
    return [predictions(est, 1) for _ in range(10)]


def serving_input():
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    return tf.estimator.export.ServingInputReceiver({"x": x}, {"x": x})


@scenario
def export_saved_model(ws):
    est = estimator(ws)
    est.train(train_input(), steps=5)
    path = est.export_saved_model(ws.dir("export"), serving_input)
    return {"export_dir_is_bytes": isinstance(path, bytes)}


@scenario
def train_and_evaluate(ws):
    config = tf.estimator.RunConfig(save_checkpoints_steps=3)
    est = estimator(ws, config=config)
    train_spec = tf.estimator.TrainSpec(train_input(), max_steps=6)
    eval_spec = tf.estimator.EvalSpec(eval_input, steps=2, throttle_secs=0)
    metrics, exports = tf.estimator.train_and_evaluate(est, train_spec, eval_spec)
    return {"metrics": rounded(metrics), "exports": exports}


@scenario
def resume_training(ws):
    est = estimator(ws)
    est.train(train_input(), max_steps=6)
    est.train(train_input(), max_steps=6)  # nothing left to do
    estimator(ws).train(train_input(), max_steps=10)  # a new Estimator resumes at 6
    return {"global_step": int(est.get_variable_value("global_step"))}


@scenario
def keep_checkpoint_max(ws):
    config = tf.estimator.RunConfig(save_checkpoints_steps=2, keep_checkpoint_max=2)
    estimator(ws, config=config).train(train_input(), steps=9)


@scenario
def predict_without_checkpoint(ws):
    return predictions(estimator(ws), 4)


@scenario
def evaluate_without_checkpoint(ws):
    return rounded(estimator(ws).evaluate(eval_input))


@scenario
def export_without_checkpoint(ws):
    estimator(ws).export_saved_model(ws.dir("export"), serving_input)


@scenario
def model_dir_none(ws):
    est = estimator(ws, model_dir=None)
    est.train(train_input(), steps=3)
    return {"model_dir_is_set": bool(est.model_dir)}


@scenario
def train_op_without_global_step(ws):
    estimator(ws, params={"no_global_step": True}).train(train_input(repeat=False), steps=2)


@scenario
def variable_only_in_predict(ws):
    est = estimator(ws, params={"predict_only_variable": True})
    est.train(train_input(), steps=2)
    return predictions(est, 4)


@scenario
def predict_empty_predictions_dict(ws):
    """An empty predictions dict: the first next() raises TypeError (no batch length);
    with yield_single_examples=False each batch is an empty dict."""
    est = estimator(ws, params={"empty_predictions": True})
    est.train(train_input(), steps=1)
    batches = est.predict(predict_input(4), yield_single_examples=False)
    result = {"batches": [next(batches) for _ in range(2)]}
    batches.close()
    try:
        predictions(est, 4)
    except TypeError as error:
        result["single_examples"] = f"TypeError: {error}"
    return result


@scenario
def predict_plain_tensors_yields_forever(ws):
    """An input_fn of plain tensors (no Dataset): a warning, then the same batch again and
    again (ckptlab's check stops it; the engine itself, like 2.15, never does)."""
    from itertools import islice

    est = estimator(ws)
    est.train(train_input(), steps=1)
    first = list(islice(est.predict(lambda: {"x": tf.constant(X[:3])}), 3 * 40))
    return {"count": len(first), "repeats": rounded(first[:3]) == rounded(first[-3:]),
            "first": rounded(first[:3])}


@scenario
def silent_shape_change(ws):
    estimator(ws, params={"hidden": 8}).train(train_input(), steps=2)
    return predictions(estimator(ws, params={"hidden": 16}), 4)


@scenario
def warm_start(ws):
    estimator(ws, model_dir="source").train(train_input(), steps=4)
    settings = tf.estimator.WarmStartSettings(ws.dir("source"), vars_to_warm_start="model/w.*")
    est = estimator(ws, warm_start_from=settings)
    est.train(train_input(), steps=1)
    return {name: rounded(est.get_variable_value(name)) for name in ("model/w2", "model/b1")}


@scenario
def dropout_in_predict_with_and_without_seed(ws):
    """Each predict() call builds a fresh graph: with tf_random_seed its dropout masks
    repeat from call to call; without a seed they differ."""
    equal = {}
    for seed in (None, 7):
        config = tf.estimator.RunConfig(tf_random_seed=seed)
        est = estimator(ws, model_dir=f"seed_{seed}", params={"dropout": True}, config=config)
        est.train(train_input(), steps=1)
        equal[f"seed {seed}: two predict() calls equal"] = (
            predictions(est, 4) == predictions(est, 4))
    return equal


@scenario
def partial_restore_with_a_custom_saver(ws):
    estimator(ws).train(train_input(), steps=2)
    estimator(ws, params={"eval_restores_only_w1": True}).evaluate(eval_input)


@scenario
def reuse_outside_train(ws):
    def reusing_model_fn(features, labels, mode, params):
        reuse = mode != tf.estimator.ModeKeys.TRAIN
        with tf.variable_scope("model", reuse=reuse):
            return model_fn(features, labels, mode, params)
    est = tf.estimator.Estimator(reusing_model_fn, model_dir=ws.dir("model"))
    est.train(train_input(), steps=1)
    est.evaluate(eval_input)


def spec_error(**spec_kwargs):
    def broken_model_fn(features, labels, mode):
        model_fn(features, labels, mode, {})  # builds the variables
        if spec_kwargs.get("not_a_spec"):
            return {"predictions": features["x"]}
        fields = {"loss": tf.constant(1.0), "train_op": tf.no_op(),
                  "predictions": features["x"]}
        fields.update(spec_kwargs)
        given = {key: value for key, value in fields.items() if value is not None}
        return tf.estimator.EstimatorSpec(mode, **given)
    return broken_model_fn


def run_broken(ws, model_fn_, api, **kwargs):
    est = tf.estimator.Estimator(model_fn_, model_dir=ws.dir("model"), **kwargs)
    if api == "train":
        est.train(train_input(), steps=1)
    elif api == "evaluate":
        est.evaluate(eval_input)
    else:
        list(est.predict(predict_input(2)))


@scenario
def spec_error_train_no_loss(ws):
    run_broken(ws, spec_error(loss=None), "train")


@scenario
def spec_error_train_no_train_op(ws):
    run_broken(ws, spec_error(train_op=None), "train")


@scenario
def spec_error_evaluate_no_loss(ws):
    run_broken(ws, spec_error(loss=None), "evaluate")


@scenario
def spec_error_predict_no_predictions(ws):
    run_broken(ws, spec_error(predictions=None), "predict")


@scenario
def spec_error_not_a_spec(ws):
    run_broken(ws, spec_error(not_a_spec=True), "train")


def _no_params_model_fn(features, labels, mode):
    return model_fn(features, labels, mode, {})


def _no_labels_model_fn(features, mode):
    return model_fn(features, None, mode, {})


def _extra_arg_model_fn(features, labels, mode, params, extra):
    return model_fn(features, labels, mode, params)


def _no_features_model_fn(inputs, labels, mode):
    return model_fn(inputs, labels, mode, {})


@scenario
def signature_error_params_not_accepted(ws):
    run_broken(ws, _no_params_model_fn, "train", params={"hidden": 8})


@scenario
def signature_error_no_labels_arg(ws):
    run_broken(ws, _no_labels_model_fn, "train")


@scenario
def signature_error_unexpected_arg(ws):
    run_broken(ws, _extra_arg_model_fn, "train")


@scenario
def signature_error_no_features_arg(ws):
    run_broken(ws, _no_features_model_fn, "train")


# the rest of tf.estimator's public API (registers more scenarios; needs the helpers above)
import scenarios_api  # noqa: E402, F401
