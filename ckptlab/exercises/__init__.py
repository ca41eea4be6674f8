"""Exercise specs shipped with the package: ids, what to define, checks worth points.

Checks are data: each `Case` names the finding codes that make it fail. The reference
solutions are not shipped (tests keep them under tests/submissions/<id>/).
"""

from __future__ import annotations

from dataclasses import dataclass

from ckptlab.errors import UsageError

__all__ = ["EXERCISES", "Case", "Exercise", "get_exercise", "points_for"]

RUNS = ("LEARNER_EXCEPTION", "TIMEOUT", "CRASHED", "SPEC_MISSING_FIELD", "MODEL_FN_SIGNATURE")


@dataclass(frozen=True)
class Case:
    name: str  # a CSV column: short, no spaces
    points: int
    fails_on: tuple[str, ...]  # finding codes (error severity) that make this case fail
    description: str


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    track: str  # "estimator" or "tf2"
    defines: tuple[str, ...]  # names the learner must define
    cases: tuple[Case, ...]
    summary: str

    @property
    def total(self) -> int:
        return sum(case.points for case in self.cases)


_RUNS_CASE = Case("runs", 1, RUNS, "the code runs through every stage without an exception")

EXERCISES = {e.id: e for e in (
    Exercise("estimator-mode-consistency", "One model_fn, three modes, one checkpoint",
             "estimator", ("model_fn",), (
                 _RUNS_CASE,
                 Case("same_variables", 2, ("MODE_ONLY_VARIABLE", "REUSE_IN_NEW_GRAPH"),
                      "every mode creates the variables that TRAIN saves"),
                 Case("stable_names", 2, ("NAME_DRIFT",),
                      "each name means the same layer in every mode"),
             ), "Write a model_fn whose EVAL and PREDICT graphs restore TRAIN's checkpoint."),
    Exercise("estimator-serving", "Serve many examples without restoring each time",
             "estimator", ("model_fn", "predict_many"), (
                 _RUNS_CASE,
                 Case("one_restore", 2, ("EXCESSIVE_RESTORE",),
                      "predict_many builds one graph and restores once"),
                 Case("deterministic", 2, ("NONDETERMINISTIC_PREDICT",),
                      "predictions depend only on the input and the checkpoint"),
             ), "Write predict_many(estimator, examples) for a trained Estimator."),
    Exercise("estimator-training-state", "Everything training must leave in the checkpoint",
             "estimator", ("model_fn",), (
                 _RUNS_CASE,
                 Case("step_advances", 1, ("GLOBAL_STEP_NOT_INCREMENTED", "NO_CHECKPOINT"),
                      "global_step advances and checkpoints are written"),
                 Case("statistics_saved", 2, ("MISSING_UPDATE_OPS",),
                      "batch-normalization statistics are trained and saved"),
                 Case("shapes_agree", 1, ("SHAPE_MISMATCH",),
                      "the restoring model has the trained shapes"),
             ), "Write a model_fn with batch normalization whose checkpoint is complete."),
    Exercise("tf2-round-trip", "Save and restore a Keras model and its optimizer", "tf2",
             ("build_model", "save", "restore"), (
                 _RUNS_CASE,
                 Case("right_file", 1, ("WRONG_CHECKPOINT_PATH", "FORMAT_MISMATCH"),
                      "restore reads the checkpoint that save wrote"),
                 Case("paths_match", 1, ("OBJECT_PATH_MISMATCH", "UNRESOLVED_OBJECTS",
                                         "RESTORE_INTO_UNBUILT_MODEL"),
                      "objects are attached under the same paths and built first"),
                 Case("values_back", 2, ("VALUES_NOT_RESTORED", "SHAPE_MISMATCH"),
                      "model and optimizer hold the saved values after restore"),
             ), "Write save(model, optimizer, directory) and restore(directory)."),
)}


def get_exercise(exercise_id: str) -> Exercise:
    try:
        return EXERCISES[exercise_id]
    except KeyError:
        raise UsageError(f"No exercise with id {exercise_id!r}.",
                         fix=f"Use one of: {', '.join(sorted(EXERCISES))}.",
                         received=exercise_id) from None


def points_for(exercise: Exercise, verdict: str, error_codes: list[str]) -> dict[str, int]:
    """Points per case. Nothing is earned when the check could not judge ('error') or the
    code did not run through (an exception no case explains): what never ran is not right."""
    if verdict == "error" or set(RUNS) & set(error_codes):
        return {case.name: 0 for case in exercise.cases}
    return {case.name: 0 if set(case.fails_on) & set(error_codes) else case.points
            for case in exercise.cases}
