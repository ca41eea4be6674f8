"""Estimator track diagnosers about what training saved and what predict() returns."""

from __future__ import annotations

from ckptlab.checker.codes import make_finding
from ckptlab.checker.explain import diagnoser
from ckptlab.checker.findings import Finding


@diagnoser("estimator")
def no_checkpoint(obs: dict) -> list[Finding]:
    train = obs.get("train")
    trained = not any(error["stage"] == "train" for error in obs.get("errors", []))
    if train is None or train.get("latest") or not trained:
        return []
    return [make_finding(
        "NO_CHECKPOINT", "train() finished but model_dir holds no checkpoint, so evaluate() "
        "and predict() ran on freshly initialised weights.",
        "Leave checkpointing on: do not set both save_checkpoints_steps and "
        "save_checkpoints_secs to None in RunConfig, and do not replace the Saver with one "
        "that never saves.", {"session runs in train()": train.get("session_runs")})]


@diagnoser("estimator")
def global_step_not_incremented(obs: dict) -> list[Finding]:
    train = obs.get("train") or {}
    if not train.get("latest") or train.get("global_step") not in (0, None):
        return []
    return [make_finding(
        "GLOBAL_STEP_NOT_INCREMENTED",
        f"After {train.get('session_runs')} training steps the checkpoint is "
        f"{train['latest']} and global_step is {train.get('global_step')}.",
        "Pass the step to the optimizer: optimizer.minimize(loss, "
        "global_step=tf.train.get_global_step()).",
        {"latest checkpoint": train["latest"], "global_step": train.get("global_step"),
         "session runs": train.get("session_runs")})]


@diagnoser("estimator")
def missing_update_ops(obs: dict) -> list[Finding]:
    stats = (obs.get("train") or {}).get("batch_norm") or []
    unchanged = [s["name"] for s in stats if s["unchanged"]]
    if not unchanged or len(unchanged) < len(stats):
        return []
    return [make_finding(
        "MISSING_UPDATE_OPS",
        f"After training, all {len(unchanged)} batch-normalization statistics in the "
        "checkpoint still hold their initial values (moving_mean 0, moving_variance 1).",
        "Run the update ops with the training step: with "
        "tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)): "
        "train_op = optimizer.minimize(...).", {"unchanged statistics": unchanged})]


@diagnoser("estimator")
def nondeterministic_predict(obs: dict) -> list[Finding]:
    gap = (obs.get("predict") or {}).get("largest_gap")
    if gap is None or gap <= 1e-5 or not (obs.get("train") or {}).get("latest"):
        return []  # without a checkpoint, predict() starts from fresh random weights
    return [make_finding(
        "NONDETERMINISTIC_PREDICT",
        f"Two predict() calls on the same {obs['predict']['examples']} examples from the same "
        f"checkpoint differ by up to {gap:.3g}.",
        "Make training-only behaviour depend on mode, e.g. "
        "tf.layers.dropout(x, rate, training=(mode == tf.estimator.ModeKeys.TRAIN)).",
        {"largest difference": gap})]


@diagnoser("estimator")
def excessive_restore(obs: dict) -> list[Finding]:
    serving = obs.get("serving") or {}
    if not serving.get("ok") or serving.get("restores", 0) <= 1:
        return []
    return [make_finding(
        "EXCESSIVE_RESTORE",
        f"predict_many served {serving['examples']} examples with {serving['graphs']} graphs "
        f"built and {serving['restores']} checkpoint restores.",
        "Call estimator.predict() once with an input_fn that yields all the examples (or a "
        "generator feeding them), and iterate over its results; or export a SavedModel and "
        "load it once.",
        {"examples": serving["examples"], "graphs built": serving["graphs"],
         "restores": serving["restores"]})]


@diagnoser("estimator")
def temporary_model_dir(obs: dict) -> list[Finding]:
    warnings = (obs.get("serving") or {}).get("warnings", [])
    hits = [w for w in warnings if "temporary folder as model directory" in w]
    if not hits:
        return []
    return [make_finding(
        "MODEL_DIR_TEMPORARY", "Your code created an Estimator without model_dir, so it "
        "trained nothing and saved into a new temporary folder.",
        "Pass model_dir='...' (or reuse the estimator you were given).",
        {"count": len(hits)})]
