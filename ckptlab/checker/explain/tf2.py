"""TF2 track diagnosers about values and shapes after the round trip."""

from __future__ import annotations

from ckptlab.checker.codes import make_finding
from ckptlab.checker.explain import diagnoser
from ckptlab.checker.findings import ERROR, WARNING, Finding

RESTORE_APIS = ("Checkpoint.restore", "Checkpoint.read", "Model.load_weights")


def _value_diffs(obs: dict) -> list[dict]:
    return [d for d in obs.get("compare", {}).get("value_diffs", []) if "max_abs_diff" in d]


def _unbuilt_restores(obs: dict) -> list[tuple[str, dict]]:
    found = []
    for call in obs.get("restore_calls", []):
        if call["api"] not in RESTORE_APIS:
            continue
        targets = call.get("children") or {"model": call.get("model", {})}
        found += [(name, state) for name, state in targets.items()
                  if state.get("variables") == 0 and "ptimizer" not in state.get("type", "")]
    return found


@diagnoser("tf2")
def values_not_restored(obs: dict) -> list[Finding]:
    compare = obs.get("compare")
    if not compare:
        return []
    findings = []
    diffs = _value_diffs(obs)
    if diffs:
        total = len(compare["saved_variables"])
        worst = max(diffs, key=lambda d: d["max_abs_diff"])
        what = (f"After restore(), {len(diffs)} of {total} model variables do not hold the "
                f"values that were saved (largest difference {worst['max_abs_diff']:.3g} in "
                f"{worst['name']}), and no error was raised.")
        evidence = {"variables not restored": [f"{d['name']} (max |diff| {d['max_abs_diff']:.3g})"
                                               for d in diffs]}
        if compare.get("output_diff") is not None:
            evidence["largest output difference on the same input"] = compare["output_diff"]
        findings.append(make_finding(
            "VALUES_NOT_RESTORED", what,
            "Attach the same objects under the same names when saving and restoring "
            "(e.g. tf.train.Checkpoint(model=model, optimizer=optimizer) both times), build "
            "the model before restoring, and call status.assert_existing_objects_matched() "
            "instead of expect_partial() to be told when something is not matched.",
            evidence))
    saved_steps = obs.get("saved", {}).get("optimizer_iterations")
    restored_steps = compare.get("optimizer_iterations")
    if restored_steps is not None and saved_steps and restored_steps != saved_steps:
        findings.append(make_finding(
            "VALUES_NOT_RESTORED",
            f"The restored optimizer counts {restored_steps} steps, the saved one "
            f"{saved_steps}: its state (step count and slot variables) was not restored.",
            "Attach the new optimizer to the restoring Checkpoint under the name it was saved "
            "with (e.g. optimizer=optimizer); its slots are restored when it first applies "
            "gradients.",
            {"saved iterations": saved_steps, "restored iterations": restored_steps}))
    return findings


@diagnoser("tf2")
def shape_changed(obs: dict) -> list[Finding]:
    compare = obs.get("compare", {})
    changed = [d for d in compare.get("value_diffs", []) if "saved_shape" in d]
    if not changed:
        return []
    first = changed[0]
    return [make_finding(
        "SHAPE_MISMATCH",
        f"{len(changed)} restored variable(s) have another shape than when saved: "
        f"{first['name']} is {first['restored_shape']}, it was saved as {first['saved_shape']}.",
        "Make restore() build the model with the same layer sizes as build_model() did when "
        "it was saved.",
        {"variables": [f"{d['name']}: saved {d['saved_shape']}, restored {d['restored_shape']}"
                       for d in changed]}, track="tf2")]


@diagnoser("tf2")
def restore_into_unbuilt_model(obs: dict) -> list[Finding]:
    unbuilt = _unbuilt_restores(obs)
    if not unbuilt:
        return []
    unresolved = any("Unresolved object" in e["message"] for e in obs.get("errors", []))
    severity = ERROR if (unresolved or _value_diffs(obs)) else WARNING
    names = [f"{name} ({state.get('type', '?')}, 0 variables)" for name, state in unbuilt]
    consequence = ("and the values did not all arrive" if severity == ERROR else
                   "this time the deferred restore delivered every value")
    return [make_finding(
        "RESTORE_INTO_UNBUILT_MODEL",
        f"restore() ran while {unbuilt[0][0]} had no variables yet; {consequence}.",
        "Call the new model once on a batch of the input shape (e.g. model(tf.zeros([1, 4]))) "
        "before checkpoint.restore(...).",
        {"objects with no variables at restore time": names}, severity=severity)]
