"""Estimator track diagnosers about structure: variables per mode, names, shapes."""

from __future__ import annotations

from ckptlab.checker.codes import make_finding
from ckptlab.checker.explain import diagnoser
from ckptlab.checker.explain.exceptions import case_of
from ckptlab.checker.explain.name_shifts import (
    auto_numbered_shifts,
    explained_by_shift,
    name_drift_fix,
)
from ckptlab.checker.findings import Finding
from ckptlab.checker.observations import FlowPosition, Observations
from ckptlab.mode_names import PREDICT, TRAIN
from ckptlab.scopes.names import is_step_counter, slot_of


def _signature(entry: FlowPosition) -> tuple:
    return (tuple(entry.shape), tuple(entry.upstream), tuple(entry.downstream))


def _explained(obs: Observations, code: str) -> bool:
    """True when a learner error already becomes `code`'s finding (the exceptions
    diagnoser's own rule decides, not a word in the message)."""
    return any(getattr(case_of(error, obs.track), "code", None) == code for error in obs.errors)


@diagnoser("estimator")
def model_fn_is_a_tf_function(obs: Observations) -> list[Finding]:
    est = obs.estimator
    if not est or est.model_fn_kind != "tf.function":
        return []
    return [make_finding(
        "MODEL_FN_SIGNATURE", "model_fn is decorated with @tf.function, so the Estimator cannot "
        "call it as a plain function in its graph nor read its arguments.",
        "Remove @tf.function from model_fn: the Estimator calls model_fn itself in graph mode "
        "and reads its argument names, which a tf.function hides.",
        {"model_fn": "a tf.function"})]


@diagnoser("estimator")
def name_drift(obs: Observations) -> list[Finding]:
    est = obs.estimator
    if not est:
        return []
    flow = est.dataflow or {}
    train, other = flow.get(TRAIN), flow.get(PREDICT)
    pairs = []
    if train and other:
        by_signature = {_signature(entry): name for name, entry in train.items()}
        for name, entry in sorted(other.items()):
            if name in train and _signature(entry) != _signature(train[name]):
                twin = by_signature.get(_signature(entry))
                if twin and twin != name:
                    pairs.append((name, twin, list(entry.shape)))
    if pairs:
        name, twin, shape = pairs[0]
        return [make_finding(
            "NAME_DRIFT",
            f"In PREDICT, the variable named {name} {shape} is used where TRAIN uses {twin}: "
            f"the checkpoint will load {twin}'s role into the wrong layer, and nothing raises "
            "because the shapes are equal.",
            "Give every layer an explicit name (tf.layers.dense(..., name='hidden')) or build "
            "the layers in the same order in every mode, before branching on mode.",
            {"swapped names (PREDICT name -> its role in TRAIN)":
                [f"{a} -> {b} {s}" for a, b, s in pairs], "pairs": len(pairs)})]
    shifted = auto_numbered_shifts(obs)
    if not shifted:
        return []
    mode, before, after = shifted[0]
    return [make_finding(
        "NAME_DRIFT",
        f"The same line of code makes {before} in TRAIN and {after} in {mode.upper()}: a layer "
        "built in one mode only shifted the auto-numbered names of the layers after it, so "
        "the checkpoint's values land in other layers or are missing.",
        name_drift_fix(obs),
        {"shifted names (TRAIN -> other mode)":
            [f"{b} -> {a} ({m})" for m, b, a in shifted]})]


@diagnoser("estimator")
def mode_only_variable(obs: Observations) -> list[Finding]:
    est = obs.estimator
    missing = est.modes.missing_from_train if est and est.modes else {}
    if not missing or _explained(obs, "MODE_ONLY_VARIABLE"):
        return []  # the exception already names the missing key (same cause, one finding)
    # a name a shift made is NAME_DRIFT's evidence; any other is a mistake of its own
    names = sorted({f"{name} ({mode})" for mode, items in missing.items() for name in items
                    if not explained_by_shift(obs, name)})
    if not names:
        return []
    return [make_finding(
        "MODE_ONLY_VARIABLE",
        f"{len(names)} variable(s) are created outside TRAIN only, so no checkpoint holds "
        f"them: {names[0]}.",
        "Create every variable in every mode: build the layers before branching on mode.",
        {"variables (mode)": names})]


@diagnoser("estimator")
def shape_mismatch(obs: Observations) -> list[Finding]:
    est, judged = obs.estimator, obs.judged
    saved = judged.saved_shapes if judged else {}
    trace = (est.restore_modes or est.modes) if est else None
    if not saved or trace is None or _explained(obs, "SHAPE_MISMATCH"):
        return []
    differ = {}
    for variables in trace.variables.values():
        for name, shape in variables.items():
            if name in saved and list(shape) != list(saved[name]) and None not in shape \
                    and not slot_of(name) and not is_step_counter(name):
                differ[name] = (list(saved[name]), list(shape))
    if not differ:
        return []
    name, (old, new) = next(iter(sorted(differ.items())))
    # a restore that raised for another reason (a missing key) must not be contradicted
    raised = any(obs.failed(stage) for stage in ("evaluate", "predict", "resume"))
    silent = ("This shape raises nothing by itself" if raised else "No error was raised")
    return [make_finding(
        "SHAPE_MISMATCH",
        f"The restoring model builds {name} with shape {new}, the checkpoint holds {old}. "
        f"{silent}: the checkpoint's shape silently wins and the new setting has no effect.",
        "Train again in a new model_dir after changing a size in params, or keep RESTORE_PARAMS "
        "sizes equal to the ones used for training.",
        {"variables (checkpoint shape -> model shape)":
            [f"{n}: {o} -> {m}" for n, (o, m) in sorted(differ.items())]})]
