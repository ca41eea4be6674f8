"""TF2 track diagnosers about values, shapes and outputs after the round trip.

Value gaps come from the judge, paired by object path (identity); a positional pairing is
said so in the evidence.
"""

from __future__ import annotations

import numpy as np

from ckptlab.checker.codes import make_finding
from ckptlab.checker.explain import diagnoser, example_batch
from ckptlab.checker.findings import ERROR, WARNING, Finding
from ckptlab.checker.judge import TOLERANCE
from ckptlab.checker.observations import ObjectState, Observations, RoundTrip, ValueGap

RESTORE_APIS = ("Checkpoint.restore", "Checkpoint.read", "Model.load_weights")


def _value_gaps(trip: RoundTrip) -> list[ValueGap]:
    return [g for g in trip.value_gaps if g.max_abs_diff is not None]


def _pairing(trip: RoundTrip) -> dict:
    if trip.pairing == "identity":
        return {}
    return {"paired": "by position (no evidence checkpoint to pair by object path)"}


def _unbuilt_restores(trip: RoundTrip) -> list[tuple[str, ObjectState]]:
    found = []
    for call in trip.restore_calls:
        if call.api not in RESTORE_APIS:
            continue
        targets = call.children or ({"model": call.model} if call.model else {})
        found += [(name, state) for name, state in targets.items()
                  if state.variables == 0 and "ptimizer" not in state.type]
    return found


def _optimizer_saved(trip: RoundTrip) -> bool:
    saved = trip.saved
    return bool(saved) and any(v.kind == "optimizer" for v in saved.variables)


@diagnoser("tf2")
def values_not_restored(obs: Observations) -> list[Finding]:
    trip = obs.tf2
    if not trip or not trip.saved_variables:
        return []
    findings = []
    gaps = _value_gaps(trip)
    if gaps:
        worst = max(gaps, key=lambda g: g.max_abs_diff)
        what = (f"After restore(), {len(gaps)} of {len(trip.saved_variables)} model variables "
                f"do not hold the values that were saved (largest difference "
                f"{worst.max_abs_diff:.3g} in {worst.name}), and no error was raised.")
        evidence = {"variables not restored": [f"{g.name} (max |diff| {g.max_abs_diff:.3g})"
                                               for g in gaps], **_pairing(trip)}
        if trip.output_diff is not None:
            evidence["largest output difference on the checker's probe inputs"] = trip.output_diff
        fix = ("Attach the same objects under the same names when saving and restoring "
               "(e.g. tf.train.Checkpoint(model=model, optimizer=optimizer) both times), build "
               "the model before restoring, and call status.assert_existing_objects_matched() "
               "instead of expect_partial() to be told when something is not matched.")
        if not trip.restore_calls:  # restore() never read anything from disk
            what += (" restore() made no checkpoint call at all (no Checkpoint.restore/read, "
                     "no load_weights): after a restart it returns a model nobody trained.")
            evidence["checkpoint calls in restore()"] = 0
            fix = ("Read the checkpoint in restore(): model = build_model(); "
                   "tf.train.Checkpoint(model=model).restore(tf.train.latest_checkpoint("
                   "directory)); return model (an object kept in memory does not survive a "
                   "restart).")
        findings.append(make_finding("VALUES_NOT_RESTORED", what, fix, evidence))
    saved_steps = trip.saved.optimizer_iterations if trip.saved else 0
    restored_steps = trip.optimizer_iterations
    if restored_steps is not None and saved_steps and restored_steps != saved_steps:
        if not _optimizer_saved(trip) and trip.saved and trip.saved.format == "tf-checkpoint":
            what = (f"The restored optimizer counts {restored_steps} steps, the saved one "
                    f"{saved_steps}: the optimizer was never saved, so its state (step count "
                    "and slot variables) cannot come back.")
            fix = ("Attach the optimizer when saving too: tf.train.Checkpoint(model=model, "
                   "optimizer=optimizer).save(prefix), then restore with the same names.")
        else:
            what = (f"The restored optimizer counts {restored_steps} steps, the saved one "
                    f"{saved_steps}: its state (step count and slot variables) was not restored.")
            fix = ("Attach the new optimizer to the restoring Checkpoint under the name it was "
                   "saved with (e.g. optimizer=optimizer); its slots are restored when it first "
                   "applies gradients.")
        findings.append(make_finding(
            "VALUES_NOT_RESTORED", what, fix,
            {"saved iterations": saved_steps, "restored iterations": restored_steps}))
    return findings[:1]


@diagnoser("tf2")
def shape_changed(obs: Observations) -> list[Finding]:
    trip = obs.tf2
    changed = [g for g in trip.value_gaps if g.max_abs_diff is None] if trip else []
    if not changed:
        return []
    first = changed[0]
    return [make_finding(
        "SHAPE_MISMATCH",
        f"{len(changed)} restored variable(s) have another shape than when saved: "
        f"{first.name} is {list(first.after_shape)}, it was saved as {list(first.before_shape)}.",
        "Make restore() build the model with the same layer sizes as build_model() did when "
        "it was saved.",
        {"variables": [f"{g.name}: saved {list(g.before_shape)}, restored {list(g.after_shape)}"
                       for g in changed], **_pairing(trip)}, track="tf2")]


@diagnoser("tf2")
def restore_into_unbuilt_model(obs: Observations) -> list[Finding]:
    trip = obs.tf2
    unbuilt = _unbuilt_restores(trip) if trip else []
    if not unbuilt:
        return []
    unresolved = any("Unresolved object" in e.message for e in obs.errors)
    severity = ERROR if (unresolved or _value_gaps(trip) or (trip.output_diff or 0) > TOLERANCE) \
        else WARNING
    names = [f"{name} ({state.type}, 0 variables)" for name, state in unbuilt]
    consequence = ("and the values did not all arrive" if severity == ERROR else
                   "this time the deferred restore delivered every value")
    return [make_finding(
        "RESTORE_INTO_UNBUILT_MODEL",
        f"restore() ran while {unbuilt[0][0]} had no variables yet; {consequence}.",
        f"Call the new model once on a batch of the input shape it was trained on, "
        f"model(tf.zeros([{example_batch(trip.input_shape)}])), before checkpoint.restore(...).",
        {"objects with no variables at restore time": names}, severity=severity)]


def _optimizer_classes(trip: RoundTrip) -> tuple[str, str] | None:
    """(saved class, restored class) of the optimizer attached under the same name, if they
    differ: from the calls the checker watched, so also when restore() raised."""
    saved = {n: c.type for call in trip.save_calls for n, c in call.children.items()}
    for call in trip.restore_calls:
        for name, state in call.children.items():
            before, after = saved.get(name, ""), state.type
            is_optimizer = "ptimizer" in f"{before}{after}" or name == "optimizer"
            if is_optimizer and before and after and before != after:
                return before, after
    if all(trip.optimizer_types) and len(set(trip.optimizer_types)) == 2:
        return trip.optimizer_types
    return None


@diagnoser("tf2")
def optimizer_mismatch(obs: Observations) -> list[Finding]:
    trip = obs.tf2
    classes = _optimizer_classes(trip) if trip else None
    if not classes or not _optimizer_saved(trip):
        return []
    saved, restored = classes
    return [make_finding(
        "OPTIMIZER_MISMATCH",
        f"The checkpoint holds the state of the optimizer {saved}; restore() put it into "
        f"{restored}, whose variables mean other things.",
        f"Resume with the same optimizer ({saved}, same options) that saved the checkpoint; "
        "to switch optimizers, restore the model only (no optimizer= in the restoring "
        "Checkpoint) and let the new optimizer start fresh.",
        {"saved optimizer": saved, "restored into": restored,
         **({"optimizer variables that differ": [g.name for g in trip.optimizer_gaps][:12]}
            if trip.optimizer_gaps else {})})]


def _constant(outputs: tuple[tuple[float, ...], ...]) -> bool:
    values = np.asarray(outputs, float)
    return values.ndim == 2 and len(values) > 1 and float(np.ptp(values, axis=0).max()) <= TOLERANCE


@diagnoser("tf2")
def predictions_ignore_input(obs: Observations) -> list[Finding]:
    trip = obs.tf2
    if not trip or not _constant(trip.single_outputs):
        return []
    return [make_finding(
        "PREDICTIONS_IGNORE_INPUT",
        f"{len(trip.single_outputs)} different examples, given to the model one at a time, all "
        "gave the same output: the model normalises each call's batch away.",
        "Pass the training flag through instead of hard-wiring it: def call(self, x, "
        "training=False): ... self.norm(h, training=training).",
        {"examples": len(trip.single_outputs), "output": list(trip.single_outputs[0])})]


@diagnoser("tf2")
def outputs_differ_after_restore(obs: Observations) -> list[Finding]:
    trip = obs.tf2
    if not trip or trip.output_diff is None or trip.output_diff <= 1e-4 or _value_gaps(trip) \
            or any(g.max_abs_diff is None for g in trip.value_gaps):
        return []
    missing = len(trip.unpaired_restored)
    came_back = ("Every saved variable came back" if not missing else
                 f"Every variable the checkpoint gave a value came back ({missing} got none)")
    what = (f"{came_back}, yet on the checker's probe inputs the restored model's outputs "
            f"differ from the saved model's by up to {trip.output_diff:.3g}.")
    fix = ("Find the state that is not a restored variable: a layer that needs adapt() (Keras 3 "
           "Normalization keeps its statistics outside the restored weights until adapt() or "
           "load_weights of a .weights.h5 file), or a Python attribute used in call(). Save it "
           "as a variable, or restore with model.load_weights('....weights.h5').")
    evidence = {"largest output difference": trip.output_diff, **_pairing(trip)}
    unsaved = list(trip.unsaved_state)
    if unsaved:
        what += (f" {unsaved[0]} is not a variable: the model computes with it, and the "
                 "restored model holds another value.")
        evidence["state that is no variable and differs after restore"] = unsaved
        if any(".mean" in name or ".variance" in name for name in unsaved):
            layer = unsaved[0].rsplit(".", 1)[0]
            fix = (f"{layer}'s mean and variance are computed from its saved adapt_mean and "
                   "adapt_variance only by adapt() or finalize_state(): after restoring, call "
                   f"the layer's finalize_state() (e.g. model.get_layer('{layer}')"
                   ".finalize_state()), or save and load with model.save_weights/"
                   "load_weights('....weights.h5'), which does it.")
    return [make_finding("OUTPUTS_DIFFER_AFTER_RESTORE", what, fix, evidence)]
