"""Estimator track diagnosers about structure: variables per mode, names, shapes."""

from __future__ import annotations

from ckptlab.checker.codes import make_finding
from ckptlab.checker.explain import diagnoser
from ckptlab.checker.findings import Finding
from ckptlab.scopes.names import is_step_counter, slot_of


def _signature(entry: dict) -> tuple:
    return (tuple(entry["shape"]), tuple(entry["upstream"]), tuple(entry["downstream"]))


def _failed(obs: dict, code: str) -> bool:
    return any(code in error["message"] for error in obs.get("errors", []))


@diagnoser("estimator")
def name_drift(obs: dict) -> list[Finding]:
    flow = obs.get("dataflow") or {}
    train, other = flow.get("train"), flow.get("infer")
    if not train or not other:
        return []
    by_signature = {_signature(entry): name for name, entry in train.items()}
    pairs = []
    for name, entry in sorted(other.items()):
        if name in train and _signature(entry) != _signature(train[name]):
            twin = by_signature.get(_signature(entry))
            if twin and twin != name:
                pairs.append((name, twin, entry["shape"]))
    if not pairs:
        return []
    name, twin, shape = pairs[0]
    return [make_finding(
        "NAME_DRIFT",
        f"In PREDICT, the variable named {name} {shape} is used where TRAIN uses {twin}: "
        f"the checkpoint will load {twin}'s role into the wrong layer, and nothing raises "
        "because the shapes are equal.",
        "Give every layer an explicit name (tf.layers.dense(..., name='hidden')) or build the "
        "layers in the same order in every mode, before branching on mode.",
        {"swapped names (PREDICT name -> its role in TRAIN)":
            [f"{a} -> {b} {s}" for a, b, s in pairs], "pairs": len(pairs)})]


@diagnoser("estimator")
def mode_only_variable(obs: dict) -> list[Finding]:
    missing = (obs.get("modes") or {}).get("comparison", {}).get(
        "missing_from_train_checkpoint", {})
    if not missing or _failed(obs, "not found in checkpoint"):
        return []  # the exception case already explains a failed restore
    names = sorted({f"{name} ({mode})" for mode, items in missing.items() for name in items})
    return [make_finding(
        "MODE_ONLY_VARIABLE",
        f"{len(names)} variable(s) are created outside TRAIN only, so no checkpoint holds "
        f"them: {names[0]}.",
        "Create every variable in every mode: build the layers before branching on mode.",
        {"variables (mode)": names})]


def _saved_shapes(obs: dict) -> dict[str, list[int]]:
    return (obs.get("train") or {}).get("variables") or {}


@diagnoser("estimator")
def shape_mismatch(obs: dict) -> list[Finding]:
    saved = _saved_shapes(obs)
    modes = (obs.get("restore_modes") or obs.get("modes") or {}).get("modes", [])
    if not saved or not modes or _failed(obs, "shape"):
        return []
    differ = {}
    for trace in modes:
        for variable in trace.get("variables", []):
            name, shape = variable["name"], variable.get("shape")
            if name in saved and shape is not None and list(shape) != saved[name] \
                    and not slot_of(name) and not is_step_counter(name):
                differ[name] = (saved[name], list(shape))
    if not differ:
        return []
    name, (old, new) = next(iter(sorted(differ.items())))
    return [make_finding(
        "SHAPE_MISMATCH",
        f"The restoring model builds {name} with shape {new}, the checkpoint holds {old}. "
        "No error was raised: the checkpoint's shape silently wins and the new setting has "
        "no effect.",
        "Train again in a new model_dir after changing a size in params, or keep RESTORE_PARAMS "
        "sizes equal to the ones used for training.",
        {"variables (checkpoint shape -> model shape)":
            [f"{n}: {o} -> {m}" for n, (o, m) in sorted(differ.items())]})]
