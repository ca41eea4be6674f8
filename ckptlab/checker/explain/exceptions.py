"""Exceptions raised by learner code, matched against known causes (data: one case each).

An exception no case recognises becomes LEARNER_EXCEPTION with the message and the line
in the learner's code. Cases are tried in order; the first match wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ckptlab.checker.codes import make_finding
from ckptlab.checker.explain import diagnoser
from ckptlab.checker.findings import Finding

__all__ = ["CASES", "ExceptionCase", "finding_for_error"]


@dataclass(frozen=True)
class ExceptionCase:
    code: str
    pattern: str  # regular expression searched in "Type: message"
    fix: str
    tracks: tuple[str, ...] = ("estimator", "tf2")


CASES = (
    ExceptionCase("SPEC_MISSING_FIELD", r"Missing (loss|train_op|predictions)\.|should return an "
                  r"EstimatorSpec",
                  "Return tf.estimator.EstimatorSpec(mode, ...) from every branch: predictions= "
                  "for PREDICT, loss= for EVAL, loss= and train_op= for TRAIN.", ("estimator",)),
    ExceptionCase("MODEL_FN_SIGNATURE", r"not expected args|does not take labels|does not have "
                  r"a params argument|features argument|model_fn .*(argument|signature)",
                  "Define it as def model_fn(features, labels, mode, params): (config is "
                  "optional), with exactly these argument names.", ("estimator",)),
    ExceptionCase("REUSE_IN_NEW_GRAPH", r"does not exist, or was not created with "
                  r"tf\.get_variable",
                  "Build the same layers in every mode and drop reuse=True (or use "
                  "reuse=tf.AUTO_REUSE inside one call): the checkpoint brings the trained "
                  "values back into each new graph.", ("estimator",)),
    ExceptionCase("MODE_ONLY_VARIABLE", r"not found in checkpoint",
                  "Create every variable in every mode: build the layers before branching on "
                  "mode, and branch only on what you compute with them.", ("estimator",)),
    ExceptionCase("UNRESOLVED_OBJECTS", r"Unresolved object in checkpoint",
                  "Build the model before restoring (call it once on a batch of the input "
                  "shape), or check with assert_existing_objects_matched().", ("tf2",)),
    ExceptionCase("SHAPE_MISMATCH", r"incompatible tensor with shape|Assign requires shapes|"
                  r"Shapes? .* (are|is) incompatible|shape mismatch|"
                  r"shape of the target variable and the shape of the target value",
                  "Build the model with the same layer sizes as when it was saved, or "
                  "start a new model_dir / checkpoint directory when you change a shape."),
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
    lines = [line for line in message.splitlines() if line.strip()]
    # "Unresolved object in checkpoint (root).model.x: attributes {" -> drop the proto dump
    return re.sub(r":\s*attributes \{\s*$", "", lines[0]) if lines else ""


def finding_for_error(error: dict, track: str) -> Finding:
    text = f"{error['type']}: {error['message']}"
    where = f" at {error['location']}" if error.get("location") else ""
    evidence = {"stage": error["stage"], "exception": error["type"],
                "message": _first_line(error["message"])}
    if error.get("location"):
        evidence["in your code"] = error["location"]
    for case in CASES:
        if track in case.tracks and re.search(case.pattern, text, re.IGNORECASE | re.DOTALL):
            key = re.search(r"Key (\S+) not found in checkpoint", text)
            if key:
                evidence["missing key"] = key.group(1)
            what = (f"During {error['stage']}, your code raised {error['type']}{where}: "
                    f"{_first_line(error['message'])}")
            if evidence["message"] == _first_line(error["message"]):
                del evidence["message"]  # already in what happened
            return make_finding(case.code, what, case.fix, evidence, track=track)
    what = f"During {error['stage']}, your code raised {error['type']}{where}."
    return make_finding("LEARNER_EXCEPTION", what,
                        "Read the message and the line shown; run that function alone in a "
                        "cell to reproduce it.", evidence)


@diagnoser("estimator", "tf2")
def learner_exceptions(obs: dict) -> list[Finding]:
    """One finding per distinct exception; the same one in several stages is listed once."""
    grouped: dict[tuple[str, str], list[dict]] = {}
    for error in obs.get("errors", []):
        grouped.setdefault((error["type"], error["message"]), []).append(error)
    findings = []
    for errors in grouped.values():
        stages = list(dict.fromkeys(error["stage"] for error in errors))
        finding = finding_for_error({**errors[0], "stage": " and ".join(stages)}, obs["track"])
        findings.append(finding)
    return findings
