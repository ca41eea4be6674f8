"""Exceptions raised by learner code, matched against known causes (data: one case each).

Messages arrive unwrapped (the op error under TensorFlow's "Restoring from checkpoint
failed" or Keras's "Exception encountered when calling"). Cases are tried in order; the
first match wins; a case's fix may depend on the rest of the observations (`fix_for`).
An exception no case recognises becomes LEARNER_EXCEPTION with its cause and the line
in the learner's code. The same cause raised in several stages is one finding.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ckptlab.checker.codes import make_finding
from ckptlab.checker.explain import diagnoser, example_batch
from ckptlab.checker.explain.name_shifts import (
    auto_numbered_shifts,
    explained_by_shift,
    name_drift_fix,
)
from ckptlab.checker.findings import ERROR, Finding
from ckptlab.checker.observations import LearnerError, Observations
from ckptlab.mode_names import TRAIN

__all__ = ["CASES", "ExceptionCase", "case_of", "finding_for_error", "raised_by"]

Fix = Callable[[LearnerError, Observations], str]


@dataclass(frozen=True)
class ExceptionCase:
    code: str
    pattern: str  # regular expression searched in "Type: message" (and the wrapper line)
    fix: str | Fix
    tracks: tuple[str, ...] = ("estimator", "tf2")


def _shape_of_input(obs: Observations) -> str:
    return example_batch(obs.tf2.input_shape if obs.tf2 else (4,))


_TF2_NAMES = {"layers": "tf.keras.layers (or tf.compat.v1.layers)",
              "Saver": "tf.train.Checkpoint(model=model).save(prefix) (or tf.compat.v1.train.Saver "
                       "for a name-based checkpoint)",
              "placeholder": "tf.compat.v1.placeholder", "Session": "tf.compat.v1.Session"}


def _tf1_fix(error: LearnerError, obs: Observations) -> str:
    found = re.search(r"module 'tensorflow(?:\._api\.v2)?\.?(\w*)' has no attribute '(\w+)'",
                      error.message)
    module, name = (found.group(1), found.group(2)) if found else ("", "")
    old = ".".join(filter(None, ("tf", module, name)))
    new = ".".join(filter(None, ("tf.compat.v1", module, name)))
    if obs.track == "estimator":
        return (f"{old} is TensorFlow 1 code: start the file with `import tensorflow.compat.v1 "
                f"as tf` (keeps every TF1 name, as Estimator code expects), or write {new}.")
    modern = _TF2_NAMES.get(name, new)
    return f"{old} is TensorFlow 1 code: in TF2 use {modern}."


def _other_graph_fix(error: LearnerError, obs: Observations) -> str:
    if "input_fn" in error.location or "EagerTensor" in error.message:
        return ("Make the tensors inside input_fn (from numpy arrays or a tf.data.Dataset), "
                "not once at import: input_fn runs in each new graph.")
    return ("Create the layers (or the Keras model) inside model_fn, so that every call builds "
            "them in its own graph; give them names (name='hidden') so the checkpoint finds "
            "them again.")


def _model_fn_signature_fix(error: LearnerError, obs: Observations) -> str:
    if obs.estimator and obs.estimator.model_fn_kind == "tf.function":
        return ("Remove @tf.function from model_fn: the Estimator calls model_fn itself in graph "
                "mode and reads its argument names, which a tf.function hides.")
    return ("Define it as def model_fn(features, labels, mode, params): (config is optional), "
            "with exactly these argument names.")


def _not_found_code(error: LearnerError, obs: Observations) -> str:
    """Which cause a 'Key x not found in checkpoint' has in this submission."""
    key = re.search(r"Key (\S+) not found in checkpoint", error.message)
    name = key.group(1) if key else ""
    est = obs.estimator
    if explained_by_shift(obs, name) or (not name and auto_numbered_shifts(obs)):
        return "NAME_DRIFT"
    if est and est.restore_modes and est.modes:
        trained = est.modes.variables.get(TRAIN, {})
        restoring = est.restore_modes.variables
        if name and name not in trained and all(name in v for v in restoring.values()):
            return "MODEL_CHANGED"
    return "MODE_ONLY_VARIABLE"


def _unresolved_fix(error: LearnerError, obs: Observations) -> str:
    path = re.search(r"Unresolved object in checkpoint (\S+?)(?::|$)", error.message)
    if path and ".optimizer" in path.group(1):
        return ("The new optimizer has no slot variables until it first applies gradients, so "
                "assert_consumed() finds the checkpoint's optimizer slots unresolved. Build the "
                "optimizer before restoring (optimizer.build(model.trainable_variables)) or "
                "check with status.assert_existing_objects_matched().")
    shape = _shape_of_input(obs)
    return (f"Build the model before restoring (call it once: model(tf.zeros([{shape}]))), "
            "or check with status.assert_existing_objects_matched().")


def _shape_fix(error: LearnerError, obs: Observations) -> str:
    found = re.search(r"incompatible tensor with shape \(([\d, ]*)\) when attempting to restore "
                      r"variable with shape \(([\d, ]*)\)", error.message)
    if obs.tf2 and found:
        saved = [int(n) for n in found.group(1).replace(" ", "").split(",") if n]
        built = [int(n) for n in found.group(2).replace(" ", "").split(",") if n]
        width = obs.tf2.input_shape[-1] if obs.tf2.input_shape else None
        if len(saved) == 2 and saved[0] == width and built[0] != width:
            return (f"The model was built for inputs of width {built[0]}, it was trained on "
                    f"{width}: build it with the real input shape, model(tf.zeros("
                    f"[{_shape_of_input(obs)}])), before restoring.")
    if obs.tf2:
        return ("Build the model with the same layer sizes as when it was saved, or start a new "
                "checkpoint directory when you change a shape.")
    return ("Build the model with the same layer sizes as when it was saved, or start a new "
            "model_dir when you change a shape.")


def _input_fix(error: LearnerError, obs: Observations) -> str:
    if re.search(r"float64|double", error.message):
        return ("Give the model float32 features, as in training: np.asarray(x, np.float32) "
                "(numpy arrays are float64 by default), or tf.cast(x, tf.float32) in input_fn.")
    if obs.tf2:
        return (f"Call the restored model on inputs of the shape it was built and trained for "
                f"({_shape_of_input(obs)[3:]} features per example).")
    return ("Encode the training, evaluation and serving data the same way (fit the one-hot "
            "vocabulary once, on the training data), so features have the same width in "
            "every input_fn.")


def _unbuilt_load_fix(error: LearnerError, obs: Observations) -> str:
    return (f"Call the new model once before load_weights: model(tf.zeros([{_shape_of_input(obs)}"
            "])) creates its variables.")


def _saver_fix(error: LearnerError, obs: Observations) -> str:
    missing = re.search(r"Variables not initialized: ([^\n]+)", error.message)
    names = missing.group(1)[:120] if missing else "global_step and the optimizer's slots"
    return ("Let the Saver save every variable: leave saver= out of the Scaffold (the "
            "Estimator then makes a Saver of the whole graph once it is complete), or make "
            "tf.train.Saver() after optimizer.minimize(...): a Saver lists the variables that "
            f"exist when it is made, before the optimizer's slots (it left out {names}).")


CASES = (
    ExceptionCase("TF1_API_IN_TF2", r"module 'tensorflow(\._api\.v2\.\w+)?' has no attribute",
                  _tf1_fix),
    ExceptionCase("MODEL_FN_SIGNATURE", r"not expected args|does not take labels|does not have "
                  r"a params argument|features argument|model_fn .*(argument|signature)",
                  _model_fn_signature_fix, ("estimator",)),
    ExceptionCase("SPEC_MISSING_FIELD", r"Missing (loss|train_op|predictions)\.|should return an "
                  r"EstimatorSpec|'NoneType' object cannot be interpreted as an integer",
                  "Return tf.estimator.EstimatorSpec(mode, ...) from every branch: predictions= "
                  "(a non-empty dict or a tensor) for PREDICT, loss= for EVAL, loss= and "
                  "train_op= for TRAIN.", ("estimator",)),
    ExceptionCase("WARM_START_MISSED", r"not found in pretrained checkpoint|"
                  r"var_name_to_prev_var_name that were not used",
                  "Map each new name to a name the pretrained checkpoint really has: "
                  "var_name_to_prev_var_name={'hidden/kernel': <its name in "
                  "tf.train.list_variables(pretrained_dir)>}, or drop the mapping when the "
                  "names did not change.", ("estimator",)),
    ExceptionCase("SPEC_BAD_METRIC", r"eval_metric_ops", "Make each eval_metric_ops value a "
                  "metric: a (value, update_op) pair from tf.metrics (e.g. "
                  "tf.metrics.root_mean_squared_error(labels, predictions)).", ("estimator",)),
    ExceptionCase("OBJECT_FROM_OTHER_GRAPH", r"must be from the same graph|is not an element of "
                  r"this graph|Attempting to capture an EagerTensor|invalid state|different "
                  r"graph", _other_graph_fix, ("estimator",)),
    ExceptionCase("WEIGHTS_FILE_NAME", r"must end in `?\.weights\.h5",
                  "Name the weights file with .weights.h5, e.g. model.save_weights(f'{directory}/"
                  "model.weights.h5'), and load_weights the same path.", ("tf2",)),
    ExceptionCase("RESTORE_INTO_UNBUILT_MODEL", r"not yet been built", _unbuilt_load_fix,
                  ("tf2",)),
    ExceptionCase("SAVER_OMITS_VARIABLES", r"Variables not initialized|uninitialized value",
                  _saver_fix, ("estimator",)),
    ExceptionCase("INPUT_MISMATCH", r"float64|double|Matrix size-incompatible|is incompatible "
                  r"with the layer|expected axis -1 of input shape|cannot compute \w+ as input",
                  _input_fix),
    ExceptionCase("REUSE_IN_NEW_GRAPH", r"does not exist, or was not created with "
                  r"tf\.get_variable",
                  "Build the same layers in every mode and drop reuse=True (or use "
                  "reuse=tf.AUTO_REUSE inside one call): the checkpoint brings the trained "
                  "values back into each new graph.", ("estimator",)),
    ExceptionCase("MODE_ONLY_VARIABLE", r"not found in checkpoint",
                  "Create every variable in every mode: build the layers before branching on "
                  "mode, and branch only on what you compute with them.", ("estimator",)),
    ExceptionCase("UNRESOLVED_OBJECTS", r"Unresolved object in checkpoint", _unresolved_fix,
                  ("tf2",)),
    ExceptionCase("SHAPE_MISMATCH", r"incompatible tensor with shape|Assign requires shapes|"
                  r"Shapes? .* (are|is) incompatible|shape mismatch|"
                  r"shape of the target variable and the shape of the target value", _shape_fix),
    ExceptionCase("FORMAT_MISMATCH", r"File format not supported|not an sstable|bad magic "
                  r"number|file signature not found|Unable to (synchronously )?open file|"
                  r"is not a zip file",
                  "Read a checkpoint with the API that wrote it: tf.train.Checkpoint.restore for "
                  "Checkpoint.save/write prefixes, model.load_weights for .weights.h5 files.",
                  ("tf2",)),
    ExceptionCase("WRONG_CHECKPOINT_PATH", r"Failed to find any matching files|Unsuccessful "
                  r"TensorSliceReader|No such file or directory|Could not find checkpoint",
                  "Pass restore() the prefix that save() returned, or "
                  "tf.train.latest_checkpoint(directory) after Checkpoint.save().", ("tf2",)),
)

_KEY_LINES = (r"Key \S+ not found in checkpoint", r"Unresolved object in checkpoint \S+?(?=:|$)",
              r"variable\.shape=\([^)]*\), Received: value\.shape=\([^)]*\)")  # Keras 3


def _first_line(message: str) -> str:
    """The line that says most: a missing key or unresolved object, else the first line."""
    for pattern in _KEY_LINES:
        found = re.search(pattern, message)
        if found:
            return found.group(0)
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    # "Unresolved object in checkpoint (root).model.x: attributes {" -> drop the proto dump
    return re.sub(r":\s*attributes \{\s*$", "", lines[0]) if lines else ""


def _cause_text(message: str, limit: int = 400) -> str:
    """The cause in up to three lines (TF/Keras wrappers are already removed)."""
    lines = [line.strip() for line in message.splitlines() if line.strip()][:3]
    text = " ".join(lines)
    return text if len(text) <= limit else text[:limit] + " ..."


def raised_by(error: LearnerError, track: str) -> str:
    """Who raised it, in the learner's terms: their code (with its line) only when the
    traceback reaches a line of theirs; else the checkpoint's restore op, the op of their
    graph that failed, or the Estimator / TensorFlow calling their functions."""
    if error.location:
        return f"your code raised {error.type} at {error.location}"
    if error.op in ("RestoreV2", "RestoreV2Slice") or error.node.endswith("RestoreV2"):
        return f"restoring the checkpoint (op {error.node or error.op}) raised {error.type}"
    if error.node:
        return f"TensorFlow raised {error.type} running op {error.node} of your graph"
    caller = "the Estimator" if track == "estimator" else "TensorFlow"
    return f"{caller} raised {error.type} while calling your code"


def case_of(error: LearnerError, track: str) -> ExceptionCase | None:
    """The known cause this learner error matches (first case wins), or None: the one rule
    other diagnosers ask before they stand down for an exception."""
    text = f"{error.type}: {error.message}\n{error.wrapper}"
    for case in CASES:
        if track in case.tracks and re.search(case.pattern, text, re.IGNORECASE | re.DOTALL):
            return case
    return None


def finding_for_error(error: LearnerError | dict, track: str,
                      obs: Observations | None = None) -> Finding:
    if isinstance(error, dict):
        error = LearnerError(**error)
    obs = obs or Observations(track=track)
    raised = raised_by(error, track)
    evidence = {"stage": error.stage, "exception": error.type}
    if error.node:
        evidence["failing op"] = f"{error.node}" + (f" ({error.op})" if error.op else "")
    if error.location:
        evidence["in your code"] = error.location
    case = case_of(error, track)
    if case is not None:
        code = _not_found_code(error, obs) if case.code == "MODE_ONLY_VARIABLE" else case.code
        key = re.search(r"Key (\S+) not found in checkpoint", error.message)
        if key:
            evidence["missing key"] = key.group(1)
        what = f"During {error.stage}, {raised}: {_first_line(error.message)}"
        fix = case.fix(error, obs) if callable(case.fix) else case.fix
        if code == "MODEL_CHANGED":
            fix = ("Train again in a new model_dir after changing the model (RESTORE_PARAMS "
                   "must build the model that was trained), or keep the old layers and names.")
        elif code == "NAME_DRIFT":
            fix = name_drift_fix(obs)
        # the learner's code raised: an error, whatever the catalog's default severity
        return make_finding(code, what, fix, evidence, severity=ERROR, track=track)
    what = f"During {error.stage}, {raised}."
    evidence["message"] = _cause_text(error.message)
    if error.wrapper:
        evidence["raised as"] = error.wrapper[:200]
    return make_finding("LEARNER_EXCEPTION", what,
                        "Read the message and the line shown; run that function alone in a "
                        "cell to reproduce it.", evidence)


@diagnoser("estimator", "tf2")
def learner_exceptions(obs: Observations) -> list[Finding]:
    """One finding per cause; the same cause raised in several stages is listed once."""
    grouped: dict[str, list[LearnerError]] = {}
    for error in obs.errors:
        case = case_of(error, obs.track)
        key = case.code if case is not None else f"{error.type}: {error.message}"
        grouped.setdefault(key, []).append(error)
    findings = []
    for errors in grouped.values():
        stages = " and ".join(dict.fromkeys(error.stage for error in errors))
        first = errors[0]
        merged = LearnerError(stages, first.type, first.message, first.location, first.op,
                              first.node, first.wrapper)
        findings.append(finding_for_error(merged, obs.track, obs))
    return findings
