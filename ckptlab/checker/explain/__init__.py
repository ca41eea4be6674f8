"""Diagnosers: small functions, one cause each, that turn observations into findings.

A diagnoser reads typed `Observations` (ckptlab/checker/observations.py) and yields
Findings. `diagnose` runs every diagnoser of a track, then orders the findings by cause
(ROOT_ORDER: what the learner wrote first, its consequences last) and folds symptoms into
their cause: when a cause is found, the findings that only follow from it (SYMPTOMS)
become evidence under it. A diagnoser that crashes becomes a note on the report ("the
check could not fully run"), never an error in the learner's cell.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from importlib import import_module

from ckptlab.checker.findings import Finding
from ckptlab.checker.observations import Observations

__all__ = ["DIAGNOSERS", "ROOT_ORDER", "SYMPTOMS", "Diagnoser", "diagnose", "diagnoser",
           "example_batch", "order_by_cause"]

Diagnoser = Callable[[Observations], Iterable[Finding]]
DIAGNOSERS: list[tuple[tuple[str, ...], Diagnoser]] = []
_MODULES = ("exceptions", "tf2", "tf2_paths", "estimator", "estimator_values",
            "behaviour")

# Causes first (what the learner wrote), consequences last.
ROOT_ORDER = (
    "TF1_API_IN_TF2", "MODEL_FN_SIGNATURE", "SPEC_MISSING_FIELD", "SPEC_BAD_METRIC",
    "OBJECT_FROM_OTHER_GRAPH", "WEIGHTS_FILE_NAME", "FORMAT_MISMATCH", "SAVER_OMITS_VARIABLES",
    "INPUT_MISMATCH", "REUSE_IN_NEW_GRAPH", "NAME_DRIFT", "MODEL_CHANGED", "MODE_ONLY_VARIABLE",
    "WRONG_CHECKPOINT_PATH", "OPTIMIZER_MISMATCH", "OBJECT_PATH_MISMATCH",
    "RESTORE_INTO_UNBUILT_MODEL", "UNRESOLVED_OBJECTS", "SHAPE_MISMATCH", "RESTORE_OVERWRITTEN",
    "WARM_START_MISSED", "NO_CHECKPOINT", "GLOBAL_STEP_NOT_INCREMENTED", "MISSING_UPDATE_OPS",
    "UPDATE_NEVER_RUNS", "PREDICT_NEVER_ENDS", "MODEL_DIR_TEMPORARY", "PREDICTIONS_IGNORE_INPUT",
    "NONDETERMINISTIC_PREDICT", "PREDICTIONS_DEPEND_ON_BATCH", "EVAL_PREDICT_DIFFER",
    "EXCESSIVE_RESTORE",
    "OUTPUTS_DIFFER_AFTER_RESTORE",
    "VALUES_NOT_RESTORED", "LEARNER_EXCEPTION", "TIMEOUT", "CRASHED", "CHECK_INTERNAL_ERROR",
)
_RESTORE_SYMPTOMS = ("VALUES_NOT_RESTORED", "UNRESOLVED_OBJECTS", "SHAPE_MISMATCH",
                     "OUTPUTS_DIFFER_AFTER_RESTORE", "LEARNER_EXCEPTION",
                     "RESTORE_INTO_UNBUILT_MODEL")
# cause -> the findings that only follow from it
SYMPTOMS = {
    "TF1_API_IN_TF2": ROOT_ORDER[1:],
    "MODEL_FN_SIGNATURE": ("SPEC_MISSING_FIELD", "LEARNER_EXCEPTION"),
    "OBJECT_FROM_OTHER_GRAPH": ("LEARNER_EXCEPTION",),
    "SAVER_OMITS_VARIABLES": ("LEARNER_EXCEPTION", "GLOBAL_STEP_NOT_INCREMENTED",
                              "OUTPUTS_DIFFER_AFTER_RESTORE"),
    # a session that assigns after its restore computes with other values
    "RESTORE_OVERWRITTEN": ("OUTPUTS_DIFFER_AFTER_RESTORE",),
    "INPUT_MISMATCH": ("LEARNER_EXCEPTION", "SHAPE_MISMATCH", "NONDETERMINISTIC_PREDICT"),
    # a variable only one mode makes is folded here only when a shift made its name
    # (explain/name_shifts.explained_by_shift); any other is a second mistake, shown apart
    "NAME_DRIFT": ("SHAPE_MISMATCH", "INPUT_MISMATCH"),
    "MODEL_CHANGED": ("MODE_ONLY_VARIABLE",),
    "WEIGHTS_FILE_NAME": _RESTORE_SYMPTOMS,
    "FORMAT_MISMATCH": _RESTORE_SYMPTOMS,
    "WRONG_CHECKPOINT_PATH": _RESTORE_SYMPTOMS,
    "OPTIMIZER_MISMATCH": _RESTORE_SYMPTOMS,
    "OBJECT_PATH_MISMATCH": _RESTORE_SYMPTOMS,
    "RESTORE_INTO_UNBUILT_MODEL": ("VALUES_NOT_RESTORED", "SHAPE_MISMATCH", "LEARNER_EXCEPTION",
                                   "OUTPUTS_DIFFER_AFTER_RESTORE"),
    # batch statistics used when predicting also move the restored model's statistics
    # (PREDICT hard-wired to batch statistics while EVAL is not: EVAL_PREDICT_DIFFER too)
    "PREDICTIONS_IGNORE_INPUT": ("VALUES_NOT_RESTORED", "NONDETERMINISTIC_PREDICT",
                                 "OUTPUTS_DIFFER_AFTER_RESTORE", "EVAL_PREDICT_DIFFER"),
    "PREDICTIONS_DEPEND_ON_BATCH": ("VALUES_NOT_RESTORED", "OUTPUTS_DIFFER_AFTER_RESTORE",
                                    "EVAL_PREDICT_DIFFER"),
    # ckptlab's engine stops such a predict() in a check (EndlessPredictInput)
    "PREDICT_NEVER_ENDS": ("TIMEOUT", "LEARNER_EXCEPTION"),
    "SPEC_MISSING_FIELD": ("TIMEOUT",),
}


def example_batch(input_shape) -> str:
    """'1, 4': a batch of one example of `input_shape`, as a fix writes model(tf.zeros([1, 4]))."""
    return ", ".join(str(n) for n in (1, *input_shape))


def diagnoser(*tracks: str) -> Callable[[Diagnoser], Diagnoser]:
    """Register a diagnoser for the given tracks ('tf2', 'estimator')."""

    def register(function: Diagnoser) -> Diagnoser:
        DIAGNOSERS.append((tracks, function))
        return function

    return register


def _load_all() -> None:
    for name in _MODULES:
        import_module(f"{__name__}.{name}")


def diagnose(observations: Observations) -> tuple[list[Finding], list[str]]:
    """All findings for the observations' track, and notes for diagnosers that crashed."""
    _load_all()
    findings: list[Finding] = []
    notes: list[str] = []
    for tracks, function in DIAGNOSERS:
        if observations.track not in tracks:
            continue
        try:
            findings.extend(function(observations))
        except Exception as error:  # a broken diagnoser never breaks the learner's cell
            notes.append(f"diagnoser {function.__name__} could not run "
                         f"({type(error).__name__}: {error})")
    return findings, notes


def _rank(finding: Finding) -> tuple[int, int]:
    severity = {"error": 0, "warning": 1, "info": 2}.get(finding.severity, 3)
    code = ROOT_ORDER.index(finding.code) if finding.code in ROOT_ORDER else len(ROOT_ORDER)
    return severity, code


def order_by_cause(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per code, causes first; symptoms of a cause become its evidence."""
    unique: dict[str, Finding] = {}
    for finding in findings:
        unique.setdefault(finding.code, finding)
    kept = sorted(unique.values(), key=_rank)
    causes = [f for f in kept if f.code in SYMPTOMS]
    result = []
    folded: dict[str, list[str]] = {}
    codes: dict[str, list[str]] = {}
    for finding in kept:
        cause = next((c for c in causes if c is not finding
                      and finding.code in SYMPTOMS[c.code] and _rank(c) < _rank(finding)
                      and c.severity == "error"), None)
        if cause is None:
            result.append(finding)
        else:
            folded.setdefault(cause.code, []).append(f"{finding.code}: {finding.what}")
            codes.setdefault(cause.code, []).extend([finding.code, *finding.symptoms])
    return [replace(f, evidence=(*f.evidence, ("follows from this", folded[f.code])),
                    symptoms=tuple(dict.fromkeys([*f.symptoms, *codes[f.code]])))
            if f.code in folded else f for f in result]
