"""Estimator track diagnosers about values: what the checkpoints hold (read by the judge),
what a resumed session started from, and what predict() returns on the checker's inputs."""

from __future__ import annotations

import re

import numpy as np

from ckptlab.checker.codes import make_finding
from ckptlab.checker.explain import diagnoser
from ckptlab.checker.findings import ERROR, Finding
from ckptlab.checker.judge import OUTPUT_TOLERANCE, TOLERANCE
from ckptlab.checker.observations import Observations
from ckptlab.mode_names import TRAIN
from ckptlab.scopes.names import step_of_prefix

_KERAS_OPTIMIZER = re.compile(r"(^|/)(iter|iterations)$|^(training/)?\w+/.+/(m|v|velocity)$")


def _trained(obs: Observations) -> bool:
    """Training ran through: what follows from a crash in train is not a finding."""
    return obs.estimator is not None and obs.estimator.train is not None \
        and not obs.failed("train") and obs.judged is not None


def _step_never_moved(obs: Observations) -> bool:
    """Every checkpoint is at step 0: written before the first training step, its values say
    nothing about training (GLOBAL_STEP_NOT_INCREMENTED is the cause to report). A
    checkpoint without global_step (a Saver that leaves it out) is judged by its name,
    model.ckpt-N, which the Estimator takes from the session's step; without either, the
    step is unknown, not stuck."""
    if not (_trained(obs) and obs.judged.latest):
        return False
    step = obs.judged.global_step
    return (step if step is not None else step_of_prefix(obs.judged.latest)) == 0


@diagnoser("estimator")
def no_checkpoint(obs: Observations) -> list[Finding]:
    if not _trained(obs) or obs.judged.checkpoints:
        return []
    return [make_finding(
        "NO_CHECKPOINT", "train() finished but model_dir holds no checkpoint, so evaluate() "
        "and predict() ran on freshly initialised weights.",
        "Leave checkpointing on: do not set both save_checkpoints_steps and "
        "save_checkpoints_secs to None in RunConfig, and do not replace the Saver with one "
        "that never saves.", {"session runs in train()": obs.estimator.train.session_runs})]


def _keras_optimizer(obs: Observations) -> bool:
    names = (obs.judged.saved_shapes if obs.judged else {}).keys()
    return any(_KERAS_OPTIMIZER.search(name) for name in names)


@diagnoser("estimator")
def global_step_not_incremented(obs: Observations) -> list[Finding]:
    if not _step_never_moved(obs):
        return []
    if _keras_optimizer(obs):
        fix = ("A Keras optimizer has no global_step argument: increment the step yourself, "
               "train_op = tf.group(optimizer.minimize(loss, var_list=...), "
               "tf.assign_add(tf.train.get_global_step(), 1)).")
    else:
        fix = ("Pass the step to the optimizer: optimizer.minimize(loss, global_step="
               "tf.train.get_global_step()), or optimizer.apply_gradients(grads_and_vars, "
               "global_step=tf.train.get_global_step()).")
    train = obs.estimator.train
    evidence = {"latest checkpoint": obs.judged.latest, "global_step": obs.judged.global_step,
                "session runs": train.session_runs}
    if obs.judged.batch_norm_total or obs.judged.never_updated:
        evidence["not judged yet"] = (
            "the checkpoint was written before the first step, so the state it holds "
            "(batch-norm statistics, other updates) is checked once the step moves")
    return [make_finding(
        "GLOBAL_STEP_NOT_INCREMENTED",
        f"After {train.session_runs} training steps the checkpoint is {obs.judged.latest} and "
        f"global_step is {obs.judged.global_step}.", fix, evidence)]


def _keras_batch_norm(obs: Observations) -> bool:
    modes = obs.estimator.modes if obs.estimator else None
    return bool(modes) and modes.update_ops.get(TRAIN, 1) == 0


@diagnoser("estimator")
def missing_update_ops(obs: Observations) -> list[Finding]:
    judged = obs.judged
    if not _trained(obs) or _step_never_moved(obs) or not judged.batch_norm_unchanged \
            or len(judged.batch_norm_unchanged) < judged.batch_norm_total:
        return []
    if _keras_batch_norm(obs):
        fix = ("A Keras BatchNormalization layer does not put its updates in UPDATE_OPS: keep "
               "the layer object and run its own updates with the training step, train_op = "
               "tf.group(optimizer.minimize(...), *norm_layer.updates).")
    else:
        fix = ("Run the update ops with the training step: with "
               "tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)): "
               "train_op = optimizer.minimize(...).")
    unchanged = list(judged.batch_norm_unchanged)
    return [make_finding(
        "MISSING_UPDATE_OPS",
        f"After training, all {len(unchanged)} batch-normalization statistics in the "
        "checkpoint still hold their initial values (moving_mean 0, moving_variance 1).",
        fix, {"unchanged statistics": unchanged})]


@diagnoser("estimator")
def update_never_runs(obs: Observations) -> list[Finding]:
    if not _trained(obs) or _step_never_moved(obs) or not obs.judged.never_updated:
        return []
    names = list(obs.judged.never_updated)
    if any("ExponentialMovingAverage" in name for name in names):
        fix = ("Make the train_op run the update: with tf.control_dependencies([minimize]): "
               "train_op = tf.group(ema.apply(...)); an op nothing depends on never runs.")
    else:
        fix = ("Make the train_op run the update: train_op = tf.group(optimizer.minimize(...), "
               "update_op), where update_op is the assign that keeps the state; an op nothing "
               "depends on never runs.")
    return [make_finding(
        "UPDATE_NEVER_RUNS",
        f"Training changed the weights, but {len(names)} state variable(s) in the checkpoints "
        f"kept their initial values from the first checkpoint to the last: {names[0]}.",
        fix, {"never updated": names, "checkpoints compared":
              [obs.judged.checkpoints[0], obs.judged.checkpoints[-1]]})]


def _off_by(gap) -> str:
    return f"{gap.max_abs_diff:.3g}" if gap.max_abs_diff is not None else "a shape"


@diagnoser("estimator")
def restore_overwritten(obs: Observations) -> list[Finding]:
    judged = obs.judged
    resumed = bool(judged and judged.overwritten_after_restore) and not obs.failed("resume")
    if not judged or not (resumed or judged.overwritten_in):
        return []
    stages = sorted(judged.overwritten_in)
    gaps = judged.overwritten_after_restore if resumed else judged.overwritten_in[stages[0]]
    where = [*(["the resumed train()"] if resumed else []), *(f"{s}()" for s in stages)]
    where_text = where[0] if len(where) == 1 else f"{', '.join(where[:-1])} and {where[-1]}"
    consequences = [*(["every resume throws the training away"] if resumed else []),
                    *(["the model evaluated and served is not the trained one"]
                      if stages else [])]
    worst = gaps[0]
    evidence = {"overwritten": [g.name for g in gaps], "restored checkpoint": judged.latest}
    if stages:
        evidence["in"] = where_text
    return [make_finding(
        "RESTORE_OVERWRITTEN",
        f"{where_text[0].upper() if resumed else where_text[0]}{where_text[1:]} restored "
        f"{judged.latest}, but before the first step {len(gaps)} variable(s) held other "
        f"values (e.g. {worst.name}, off by {_off_by(worst)}): something assigned them "
        f"after the restore, so {', and '.join(consequences)}.",
        "Load pretrained values only when no checkpoint exists yet: tf.train.Scaffold("
        "init_fn=...) or warm_start_from run only on a fresh start; do not assign in a hook's "
        "after_create_session (training_hooks, evaluation_hooks, prediction_hooks) or in a "
        "local_init_op.", evidence)]


def _deterministic(obs: Observations) -> bool:
    """The restored model gave the same outputs twice (on the checker's probes, else on
    the learner's input when the checker made only one call on its probes)."""
    predict = obs.estimator.predict if obs.estimator else None
    gap = None if predict is None else \
        predict.fixed_gap if predict.fixed_gap is not None else predict.largest_gap
    return gap is not None and gap <= TOLERANCE


def _differ_in(obs: Observations) -> list[str]:
    """The restores whose model computes other outputs on the probes than the model as
    saved (predict(): only a deterministic model; a stage whose session was overwritten
    has RESTORE_OVERWRITTEN as its cause; "resume": the resumed train())."""
    judged = obs.judged
    found = []
    if judged.saved_output_gap is not None and judged.saved_output_gap > OUTPUT_TOLERANCE \
            and _deterministic(obs) and "predict" not in judged.overwritten_in:
        found.append("predict")
    if judged.evaluate_output_gap is not None \
            and judged.evaluate_output_gap > OUTPUT_TOLERANCE \
            and "evaluate" not in judged.overwritten_in:
        found.append("evaluate")
    if judged.resume_output_gap is not None and judged.resume_output_gap > OUTPUT_TOLERANCE \
            and not judged.overwritten_after_restore and not obs.failed("resume"):
        found.append("resume")
    return found


_RESTORED_BY = {"predict": "predict()", "evaluate": "evaluate()",
                "resume": "the resumed train()"}


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


@diagnoser("estimator")
def outputs_differ_after_restore(obs: Observations) -> list[Finding]:
    if not _trained(obs) or _step_never_moved(obs):
        return []
    stages = _differ_in(obs)
    if not stages:
        return []
    judged = obs.judged
    probe = obs.estimator.probe
    gaps = {"predict": judged.saved_output_gap, "evaluate": judged.evaluate_output_gap,
            "resume": judged.resume_output_gap}
    gap = max(gaps[stage] for stage in stages)
    who = _listed([_RESTORED_BY[stage] for stage in stages])
    model = "the models" if len(stages) > 1 else "the model"
    eval_part = "" if "evaluate" not in stages else (
        f" ({'its' if len(stages) == 1 else 'for evaluate(), its'} EVAL graph with the values "
        "its session held after the restore)")
    if stages == ["resume"]:
        eval_part = " (with the values its session started from)"
    local = [n for n in judged.unsaved_variables if n in probe.local]
    left_out = [n for n in judged.unsaved_variables if n not in probe.local]
    set_after = list(judged.evaluate_state_differs) if "evaluate" in stages else []
    resumed_otherwise = list(judged.resume_state_differs) if "resume" in stages else []
    what = (f"On the checker's {len(probe.outputs)} probe examples, {model} {who} restored "
            f"from {judged.latest}{eval_part} compute{'s' if len(stages) == 1 else ''} other "
            f"outputs than the model training saved (up to {gap:.3g} apart, relative), "
            "although the restored values are the checkpoint's.")
    evidence: dict = {"largest output difference (relative)": gap,
                      "restored checkpoint": judged.latest, "restored by": who}
    if resumed_otherwise and stages == ["resume"]:
        name = resumed_otherwise[0]
        kind = "a local variable" if name in probe.local else \
            "a variable the checkpoint leaves out"
        what += (f" {name}, {kind}, started the resumed train() with another value than "
                 "the trained model held: what gave it its value in the first training (a "
                 "fresh start's init_fn or init_op, a hook that acts only then, or the "
                 "training steps) is not in the checkpoint, and nothing set it again after "
                 "the restore.")
        agree = [_RESTORED_BY[stage] for stage in ("predict", "evaluate")
                 if gaps[stage] is not None and gaps[stage] <= OUTPUT_TOLERANCE]
        if agree:
            what += (f" {_listed(agree)} compute{'s' if len(agree) == 1 else ''} the saved "
                     "outputs: only a resume loses it.")
        evidence["state the resumed train() started from otherwise, not in any checkpoint"] = \
            resumed_otherwise
        fix = (f"Keep {name} in a global variable, which checkpoints save: "
               "tf.get_variable(name, initializer=..., trainable=False) instead of "
               "tf.get_local_variable (and do not leave it out of a Saver's var_list); a "
               "value set only on a fresh start (Scaffold init_fn or init_op, a training "
               "hook that acts only at step 0) is then restored by every resume.")
    elif set_after and stages == ["evaluate"]:
        what += (f" {set_after[0]}, which no checkpoint holds, had another value in "
                 "evaluate()'s session than in the trained model's: something set it after "
                 "the restore, only in EVAL.")
        evidence["state evaluate() held otherwise, not in any checkpoint"] = set_after
        fix = ("Do not set model state in evaluation_hooks (after_create_session) or in an "
               "EVAL Scaffold's local_init_op: evaluate() must run the model training saved. "
               f"If the model needs {set_after[0]}, keep it in a global variable, "
               "tf.get_variable(name, shape, trainable=False), so the checkpoint saves it, "
               "and set it in TRAIN only.")
    elif left_out:
        what += (f" {left_out[0]} is a variable of the model that the checkpoint does not "
                 "hold: every new session starts it from its initializer.")
        evidence["variables the checkpoint leaves out"] = left_out
        fix = ("Save every variable the model computes with: leave var_list out of "
               "tf.train.Saver() (it then saves all global variables), or add "
               f"{left_out[0]} to it.")
    elif local:
        what += (f" {local[0]} is a local variable: checkpoints never hold local variables, "
                 "so every new session starts it from its initializer.")
        evidence["local variables the model computes with"] = local
        fix = ("Keep state the model needs in a global variable, which checkpoints save: "
               "tf.get_variable(name, shape, trainable=False) instead of "
               "tf.get_local_variable or collections=[tf.GraphKeys.LOCAL_VARIABLES].")
    else:
        what += (" Every variable it uses came back: the difference is a value held outside "
                 "variables, computed in Python when model_fn or input_fn runs.")
        evidence["variables it computes with, all restored"] = len(probe.loaded)
        fix = ("Compute the model only from its variables and its features: a value model_fn "
               "takes from Python (a numpy array, a global set by the training code, a "
               "counter, params changed at run time) is made again, differently, by every "
               "new graph; keep it in a variable, tf.get_variable(name, initializer=value, "
               "trainable=False), so the checkpoint saves it.")
    return [make_finding("OUTPUTS_DIFFER_AFTER_RESTORE", what, fix, evidence,
                         track="estimator")]


@diagnoser("estimator")
def eval_predict_differ(obs: Observations) -> list[Finding]:
    judged = obs.judged
    if not _trained(obs) or judged.eval_predict_gap is None \
            or judged.eval_predict_gap <= OUTPUT_TOLERANCE or not _deterministic(obs):
        return []
    probe = obs.estimator.probe
    rows = [(index, a, b) for index, (a, b) in enumerate(zip(probe.outputs, probe.eval_outputs,
                                                              strict=False))]
    index, predicted, evaluated = max(rows, key=lambda r: max(
        abs(x - y) for x, y in zip(r[1], r[2], strict=False)) if r[1] else 0.0)
    return [make_finding(
        "EVAL_PREDICT_DIFFER",
        f"With the same trained values and the same {len(probe.outputs)} probe examples, "
        "the EVAL graph's predictions differ from the PREDICT graph's (up to "
        f"{judged.eval_predict_gap:.3g} apart, relative): example {index + 1} gets "
        f"{[round(v, 4) for v in evaluated]} in EVAL, {[round(v, 4) for v in predicted]} in "
        "PREDICT. evaluate() measures another model than predict() serves.",
        "Switch training behaviour on in TRAIN only, for every layer: "
        "training=(mode == tf.estimator.ModeKeys.TRAIN) for dropout and batch normalization "
        "(not mode != tf.estimator.ModeKeys.PREDICT, not True).",
        {"probe examples": len(probe.outputs),
         "largest difference (relative)": judged.eval_predict_gap,
         f"example {index + 1} in EVAL": [round(v, 4) for v in evaluated],
         f"example {index + 1} in PREDICT": [round(v, 4) for v in predicted]})]


@diagnoser("estimator")
def warm_start_missed(obs: Observations) -> list[Finding]:
    judged = obs.judged
    if not _trained(obs) or not judged.warm_start_candidates or judged.warm_start_matched:
        return []
    return [make_finding(
        "WARM_START_MISSED",
        f"None of the {judged.warm_start_candidates} variables the pretrained checkpoint and "
        "the new model share took the pretrained values: training started from random.",
        "Make vars_to_warm_start match the variable names of your model (e.g. 'hidden/.*'; "
        "see tf.train.list_variables(pretrained_dir)), and map renamed variables with "
        "var_name_to_prev_var_name.", {"shared variables": judged.warm_start_candidates})]


@diagnoser("estimator")
def predictions_ignore_input(obs: Observations) -> list[Finding]:
    predict = obs.estimator.predict if obs.estimator else None
    outputs = np.asarray(predict.single_outputs if predict else (), float)
    if outputs.ndim != 2 or len(outputs) < 2 or np.ptp(outputs, axis=0).max() > TOLERANCE:
        return []
    return [make_finding(
        "PREDICTIONS_IGNORE_INPUT",
        f"{len(outputs)} different examples, predicted one at a time, all gave the same "
        f"prediction ({outputs[0].round(4).tolist()}).",
        "Use batch statistics only in training: tf.layers.batch_normalization(x, training="
        "(mode == tf.estimator.ModeKeys.TRAIN)) (same for dropout).",
        {"examples": len(outputs)})]


@diagnoser("estimator")
def nondeterministic_predict(obs: Observations) -> list[Finding]:
    predict = obs.estimator.predict if obs.estimator else None
    if predict is None or not (obs.judged and obs.judged.checkpoints):
        return []  # without a checkpoint, predict() starts from fresh random weights
    gap = predict.fixed_gap if predict.fixed_gap is not None else predict.largest_gap
    if gap is None or gap <= TOLERANCE:
        return []  # on the checker's fixed input the model is deterministic
    agreed = predict.largest_gap is not None and predict.largest_gap <= TOLERANCE
    if agreed:  # seen only in the checker's own call: its probes predicted twice in it
        probes = len(predict.fixed_outputs[0]) if predict.fixed_outputs else 0
        what = (f"Your two predict() calls gave the same outputs, but the checker's {probes} "
                f"probe examples, predicted twice in one predict() call from the same "
                f"checkpoint, differ by up to {gap:.3g}.")
    else:
        what = (f"Two predict() calls on the same {predict.examples} examples from the same "
                f"checkpoint differ by up to {gap:.3g}.")
    return [make_finding(
        "NONDETERMINISTIC_PREDICT", what,
        "Make training-only behaviour depend on mode, e.g. "
        "tf.layers.dropout(x, rate, training=(mode == tf.estimator.ModeKeys.TRAIN)).",
        {"largest difference": gap})]


@diagnoser("estimator")
def excessive_restore(obs: Observations) -> list[Finding]:
    serving = obs.estimator.serving if obs.estimator else None
    if not serving or not serving.ok or serving.restores <= 1:
        return []
    return [make_finding(
        "EXCESSIVE_RESTORE",
        f"predict_many served {serving.examples} examples with {serving.graphs} graphs "
        f"built and {serving.restores} checkpoint restores.",
        "Call estimator.predict() once with an input_fn that yields all the examples (or a "
        "generator feeding them), and iterate over its results; or export a SavedModel and "
        "load it once.",
        {"examples": serving.examples, "graphs built": serving.graphs,
         "restores": serving.restores})]


def _logged(obs: Observations, text: str) -> list[str]:
    return [line for line in obs.log if text in line]


_TEMPORARY_PATH = re.compile(r"(model directory|model_dir): \S+?(?=[,\s]|$)")


@diagnoser("estimator")
def temporary_model_dir(obs: Observations) -> list[Finding]:
    hits = _logged(obs, "temporary folder as model directory")
    if not hits:
        return []
    untrained = _logged(obs, "Could not find trained model")
    if untrained:  # an Estimator of the learner's own predicted from an empty folder
        what = ("Your code created an Estimator without model_dir, so it works in a new "
                "temporary folder where nothing was ever trained: its predict() ran on "
                "freshly initialised weights.")
    else:
        what = ("Your code created an Estimator without model_dir, so its checkpoints go to a "
                "new temporary folder that no later Estimator will find.")
    def said(line: str) -> str:
        return _TEMPORARY_PATH.sub(r"\1: <a new temporary folder>", line)[:200]

    evidence = {"Estimators without model_dir": len(hits), "TensorFlow warned": said(hits[0])}
    if untrained:
        evidence["then predict() said"] = said(untrained[0])
    return [make_finding(
        "MODEL_DIR_TEMPORARY", what,
        "Pass model_dir='...' to every Estimator that should share the training (or reuse "
        "the estimator you were given).", evidence, severity=ERROR if untrained else None)]


@diagnoser("estimator")
def predict_never_ends(obs: Observations) -> list[Finding]:
    hits = _logged(obs, "predict yields forever") or _logged(obs, "contain a QueueRunner")
    if not hits:
        return []
    return [make_finding(
        "PREDICT_NEVER_ENDS",
        "predict() was given an input_fn that returns plain tensors (no tf.data.Dataset), so "
        "it yields predictions of the same batch forever and list(...) never returns.",
        "Return a finite tf.data.Dataset from the predict input_fn, e.g. "
        "tf.data.Dataset.from_tensor_slices({'x': x}).batch(4), and do not repeat it.",
        {"TensorFlow said": hits[0][:200]})]
