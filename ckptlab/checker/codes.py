"""The stable finding codes: severity, one-line title, the concept and the tutorial link.

One place for the catalog; diagnosers add this run's facts (what happened, evidence and
a concrete fix) through `make_finding`. Codes are a public contract: never rename one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ckptlab.checker.findings import ERROR, WARNING, Finding

__all__ = ["CODES", "ESTIMATOR_CODES", "ESTIMATOR_VARIANTS", "TF2_CODES", "Code", "make_finding"]

START = "tutorials/00_start_here.ipynb"
MODES = "tutorials/03_model_fn_and_modes.ipynb"
LIFECYCLE = "tutorials/04_estimator_lifecycle.ipynb"
SERVING = "tutorials/05_excessive_restoring.ipynb"
RESTORES = "tutorials/06_when_restores_go_wrong.ipynb"
TRAINING_STATE = "tutorials/06_when_restores_go_wrong_b.ipynb"
OBJECTS = "tutorials/07_tf2_object_checkpoints.ipynb"
FORMATS = "tutorials/08_keras_weights_and_formats.ipynb"
MIGRATING = "tutorials/09_migrating_to_tf2.ipynb"


@dataclass(frozen=True)
class Code:
    code: str
    severity: str
    title: str
    why: str
    tutorial: str


_CATALOG = [
    # --- Estimator track
    Code("SPEC_MISSING_FIELD", ERROR, "model_fn returned an EstimatorSpec without a required field",
         "Each mode needs its own fields: TRAIN needs loss and train_op, EVAL needs loss, "
         "PREDICT needs predictions. The Estimator checks them every time it calls model_fn.",
         f"{MODES}#spec-missing-field"),
    Code("MODEL_FN_SIGNATURE", ERROR, "model_fn does not have the arguments the Estimator passes",
         "The Estimator inspects model_fn's argument names and passes only features, labels, "
         "mode, params and config. A missing argument that it needs to pass, or an unknown "
         "one, stops it before any graph is built.",
         f"{MODES}#model-fn-signature"),
    Code("MODE_ONLY_VARIABLE", ERROR, "A variable exists in one mode but not in the checkpoint",
         "train() writes the checkpoint; evaluate() and predict() build a new graph and restore "
         "every variable of that graph by name. A variable created only outside TRAIN is "
         "never saved, so restoring it fails.",
         f"{RESTORES}#mode-only-variable"),
    Code("REUSE_IN_NEW_GRAPH", ERROR, "reuse=True asked for a variable in a graph that has none",
         "Every train(), evaluate() and predict() call builds a brand-new, empty graph and calls "
         "model_fn once in it. Nothing from an earlier call is there to reuse: values come "
         "back from the checkpoint, not from an earlier graph.",
         f"{RESTORES}#reuse-in-new-graph"),
    Code("NAME_DRIFT", ERROR, "Auto-numbered names point at different layers in different modes",
         "Unnamed layers are numbered in creation order (dense, dense_1, ...). When the order "
         "changes between modes, the checkpoint restores each weight by name into the wrong "
         "layer; with equal shapes nothing raises and the model is silently scrambled.",
         f"{RESTORES}#name-drift"),
    Code("SHAPE_MISMATCH", ERROR, "A variable's shape differs from the shape in the checkpoint",
         "A checkpoint stores each variable with its shape. A restore into a variable of "
         "another shape either raises or, with TF2 resource variables, silently keeps the "
         "checkpoint's shape, so the new setting never takes effect.",
         f"{TRAINING_STATE}#shape-mismatch"),
    Code("GLOBAL_STEP_NOT_INCREMENTED", ERROR, "Training never advanced global_step",
         "The Estimator counts training steps with global_step: it decides when to stop, when "
         "to save and which checkpoint is the latest. A train_op that does not increment it "
         "keeps every checkpoint at step 0 and ignores train(steps=N).",
         f"{TRAINING_STATE}#global-step-not-incremented"),
    Code("NONDETERMINISTIC_PREDICT", ERROR, "predict() gave different outputs for the same input",
         "After training, predictions should depend only on the input and the restored weights. "
         "Outputs that change from call to call usually mean a training-only behaviour (dropout, "
         "random noise, batch statistics) is active in PREDICT mode.",
         f"{TRAINING_STATE}#nondeterministic-predict"),
    Code("NO_CHECKPOINT", ERROR, "Training wrote no checkpoint",
         "evaluate() and predict() start from the latest checkpoint in model_dir. Without one "
         "they do not raise: they log a notice and use freshly initialised random weights.",
         f"{LIFECYCLE}#no-checkpoint"),
    Code("MISSING_UPDATE_OPS", ERROR, "Batch normalization statistics were never updated",
         "Batch normalization keeps moving averages that are updated by separate ops in the "
         "UPDATE_OPS collection. A train_op that does not depend on them trains the weights but "
         "saves the initial statistics, so evaluation and prediction use the wrong ones.",
         f"{TRAINING_STATE}#missing-update-ops"),
    Code("EXCESSIVE_RESTORE", ERROR, "Serving code rebuilt the graph and restored for each example",
         "Each predict() call builds a new graph and restores the checkpoint: this is by design "
         "and no EstimatorSpec field changes it. Serving many examples needs one long-lived "
         "predict() generator or an exported SavedModel loaded once.",
         f"{SERVING}#excessive-restore"),
    Code("MODEL_DIR_TEMPORARY", WARNING, "model_dir is None: checkpoints go to a temporary folder",
         "Without model_dir the Estimator writes its checkpoints to a new temporary folder. "
         "They exist, but a new Estimator in another session will not find them.",
         f"{LIFECYCLE}#model-dir-temporary"),
    Code("OBJECT_FROM_OTHER_GRAPH", ERROR, "An object made outside model_fn or input_fn was reused",
         "Every train(), evaluate() and predict() call builds a brand-new graph and calls "
         "input_fn and model_fn in it. A tensor, layer or Keras model made once (at import or "
         "in an earlier call) belongs to another graph and cannot be used in the new one.",
         f"{MODES}#count-the-calls"),
    Code("SAVER_OMITS_VARIABLES", ERROR, "A custom Saver leaves variables out of the checkpoint",
         "The Saver in the Scaffold decides what every checkpoint holds and what a new session "
         "restores. Variables it leaves out (global_step, optimizer slots, statistics) are "
         "never saved, so the next session finds them uninitialised.",
         f"{LIFECYCLE}#resuming"),
    Code("INPUT_MISMATCH", ERROR, "The model got inputs unlike the ones it was built for",
         "A model's variables take their shapes and dtypes from the first inputs it saw. Data "
         "of another width or dtype (float64 from numpy, a one-hot encoding made per split) "
         "cannot flow through the weights restored from the checkpoint.",
         f"{TRAINING_STATE}#shape-mismatch"),
    Code("RESTORE_OVERWRITTEN", ERROR, "Restored values were overwritten right after the restore",
         "A new session first restores the latest checkpoint. Code that assigns other values in "
         "every new session (a hook's after_create_session, a local_init_op) then throws the "
         "restored training away, silently: at every resume, in evaluate() and in predict().",
         f"{LIFECYCLE}#resuming"),
    Code("WARM_START_MISSED", ERROR,
         "The warm start initialised nothing from the pretrained checkpoint",
         "warm_start_from copies values only into variables its vars_to_warm_start pattern "
         "matches, under the names var_name_to_prev_var_name gives. When nothing matches, "
         "training silently starts from random values.",
         f"{MIGRATING}#init-from-checkpoint"),
    Code("UPDATE_NEVER_RUNS", ERROR, "A state the model keeps was never updated by training",
         "Moving averages and other state variables change only when their update op runs. An "
         "update op that nothing depends on is never run: the checkpoint keeps the initial "
         "values and EVAL and PREDICT use them.",
         f"{TRAINING_STATE}#missing-update-ops"),
    Code("PREDICTIONS_IGNORE_INPUT", ERROR, "Predictions do not depend on the input",
         "Different inputs should give different predictions. Batch statistics used at "
         "prediction time (batch normalization in training mode) normalise a single example "
         "to the same value, whatever it was.",
         f"{TRAINING_STATE}#nondeterministic-predict"),
    Code("PREDICTIONS_DEPEND_ON_BATCH", ERROR,
         "A prediction depends on the other examples in its batch",
         "A trained model gives an example the same prediction whether it comes alone or in a "
         "batch. A computation over the batch axis (a mean, a norm or a softmax over axis 0, "
         "batch statistics at prediction time) mixes the examples of a batch, so what a served "
         "example gets depends on what it was batched with.",
         f"{TRAINING_STATE}#predictions-depend-on-batch"),
    Code("PREDICT_NEVER_ENDS", ERROR, "predict() was given an input that never ends",
         "predict() yields until its input_fn's data runs out. An input_fn that returns plain "
         "tensors (not a tf.data.Dataset) never runs out: the same batch is predicted forever.",
         f"{SERVING}#one-generator"),
    Code("SPEC_BAD_METRIC", ERROR, "eval_metric_ops holds something that is not a metric",
         "Each eval_metric_ops value must be a (value, update_op) pair such as tf.metrics.mean "
         "returns: the Estimator runs update_op on every batch and reads value at the end.",
         f"{MODES}#spec-missing-field"),
    Code("EVAL_PREDICT_DIFFER", ERROR, "EVAL and PREDICT compute different predictions",
         "evaluate() should measure the model predict() serves: both restore the same "
         "checkpoint, so on the same input they compute the same predictions. Training "
         "behaviour (dropout, batch statistics) switched on outside TRAIN in one mode only, "
         "e.g. with mode != PREDICT, makes the metrics describe another model.",
         f"{TRAINING_STATE}#nondeterministic-predict"),
    Code("MODEL_CHANGED", ERROR, "The model changed since its checkpoint was written",
         "evaluate() and predict() restore the training checkpoint by name. Variables added "
         "after training (a new layer, a renamed scope) have no value in it.",
         f"{TRAINING_STATE}#shape-mismatch"),
    # --- TF2 track
    Code("UNRESOLVED_OBJECTS", ERROR, "The checkpoint holds objects the restored model does not",
         "assert_consumed() checks that every object in the checkpoint found a home. An "
         "object that has no variables yet (a layer never called, an optimizer that has "
         "not applied gradients) leaves its checkpoint values unresolved.",
         f"{OBJECTS}#unresolved-objects"),
    Code("RESTORE_INTO_UNBUILT_MODEL", WARNING, "restore() was called on a model with no variables",
         "A model that has never been called has no variables yet; restoring into it relies on "
         "deferred restoration when the variables appear. Some Keras versions then leave a "
         "kernel un-restored without any error.",
         f"{OBJECTS}#restore-into-unbuilt-model"),
    Code("OBJECT_PATH_MISMATCH", ERROR,
         "Saved and restored objects are attached under different paths",
         "Object-based checkpoints find each value by its path of attribute names from the root "
         "Checkpoint (e.g. model/dense1/kernel). Restoring with other attribute names finds "
         "nothing for those values; expect_partial() hides the warning.",
         f"{OBJECTS}#object-path-mismatch"),
    Code("VALUES_NOT_RESTORED", ERROR, "The restored objects do not hold the saved values",
         "restore() can finish without error and still leave variables at their fresh initial "
         "values: unmatched paths, a restore that never ran, or a deferred restore that never "
         "fired. Only comparing values shows it.",
         f"{OBJECTS}#values-not-restored"),
    Code("WRONG_CHECKPOINT_PATH", ERROR, "restore() was not given the checkpoint that save() wrote",
         "Checkpoint.save() writes '<prefix>-N' files and updates the 'checkpoint' state file; "
         "write() does not. restore() needs that exact prefix: tf.train.latest_checkpoint(dir) "
         "returns None when no state file names it, and restore(None) silently does nothing.",
         f"{OBJECTS}#wrong-checkpoint-path"),
    Code("FORMAT_MISMATCH", ERROR, "The checkpoint was read with an API for another format",
         "tf.train.Checkpoint writes '.index'/'.data' prefixes; Keras 3 save_weights writes "
         "'.weights.h5' files and model.save writes '.keras' archives. Each is read only by the "
         "matching loader.",
         f"{OBJECTS}#format-mismatch"),
    Code("WEIGHTS_FILE_NAME", ERROR, "Keras 3 weights need a file name ending in .weights.h5",
         "Keras 3 save_weights and load_weights only write and read '.weights.h5' files; the "
         "TF-format prefixes and plain '.h5' names of Keras 2 are refused.",
         f"{FORMATS}#weights-h5"),
    Code("OPTIMIZER_MISMATCH", ERROR, "The optimizer state was restored into another optimizer",
         "An optimizer's state (steps, slot variables) only fits an optimizer of the same "
         "class. Keras 3 pairs optimizer variables by position, so another class gets values "
         "meant for other slots, or fails on their shapes.",
         f"{OBJECTS}#optimizer-state"),
    Code("OUTPUTS_DIFFER_AFTER_RESTORE", ERROR, "The restored model computes other outputs",
         "Every variable came back, yet the restored model's outputs on the same inputs differ "
         "from the saved model's: part of what the model computes with is not a saved variable "
         "(or is derived from one only when a method such as adapt() runs).",
         f"{OBJECTS}#values-not-restored"),
    Code("TF1_API_IN_TF2", ERROR, "TensorFlow 1 API used under TensorFlow 2",
         "TensorFlow 2 removed tf.layers, tf.train.Saver, tf.train.AdamOptimizer and the rest of "
         "the 1.x graph API from the top-level namespace; they live on in tf.compat.v1.",
         f"{MIGRATING}#legacy-checkpoint"),
    # --- any track
    Code("LEARNER_EXCEPTION", ERROR, "Your code raised an exception",
         "The check runs your functions the way TensorFlow would. An exception it does not "
         "recognise is shown as raised, with the place in your code.",
         f"{START}#learner-exception"),
    Code("TIMEOUT", ERROR, "The check did not finish in time",
         "Each check has a time limit so a loop that never ends cannot block you. Common causes "
         "are an input_fn that repeats forever while training never stops, or a loop in your "
         "code.",
         f"{START}#timeout"),
    Code("CRASHED", ERROR, "The process running your code ended abruptly",
         "Your code ran in a separate process that exited without a result: os._exit(), a "
         "crash inside a native library, or one of the check's limits (memory, processes "
         "and threads, disk, output) ended it.",
         f"{START}#crashed"),
    Code("CHECK_INTERNAL_ERROR", ERROR, "The check itself could not run",
         "This is a problem in ckptlab or in how it was called, not in your code.",
         f"{START}#check-could-not-run"),
]

CODES: dict[str, Code] = {code.code: code for code in _CATALOG}
# a code whose concept reads otherwise on the Estimator track: (why, tutorial)
ESTIMATOR_VARIANTS = {
    "OUTPUTS_DIFFER_AFTER_RESTORE": (
        "Every train(), evaluate() and predict() call opens a new session, and a restore "
        "gives it only what the checkpoint holds. State outside it (a local variable, a "
        "variable the Saver leaves out, a value a hook or a Scaffold sets, a number "
        "model_fn takes from Python) is made again by each session, so a restored model "
        "can compute other outputs although every value the checkpoint holds came back.",
        f"{TRAINING_STATE}#state-outside-checkpoint"),
}
ESTIMATOR_CODES = ("SPEC_MISSING_FIELD", "MODEL_FN_SIGNATURE", "MODE_ONLY_VARIABLE",
                   "REUSE_IN_NEW_GRAPH", "NAME_DRIFT", "SHAPE_MISMATCH",
                   "GLOBAL_STEP_NOT_INCREMENTED", "NONDETERMINISTIC_PREDICT", "NO_CHECKPOINT",
                   "MISSING_UPDATE_OPS", "EXCESSIVE_RESTORE", "OBJECT_FROM_OTHER_GRAPH",
                   "SAVER_OMITS_VARIABLES", "INPUT_MISMATCH", "RESTORE_OVERWRITTEN",
                   "WARM_START_MISSED", "UPDATE_NEVER_RUNS", "PREDICTIONS_IGNORE_INPUT",
                   "PREDICTIONS_DEPEND_ON_BATCH", "PREDICT_NEVER_ENDS", "SPEC_BAD_METRIC",
                   "MODEL_CHANGED", "TF1_API_IN_TF2", "EVAL_PREDICT_DIFFER",
                   "OUTPUTS_DIFFER_AFTER_RESTORE")
TF2_CODES = ("UNRESOLVED_OBJECTS", "RESTORE_INTO_UNBUILT_MODEL", "OBJECT_PATH_MISMATCH",
             "VALUES_NOT_RESTORED", "WRONG_CHECKPOINT_PATH", "FORMAT_MISMATCH", "SHAPE_MISMATCH",
             "WEIGHTS_FILE_NAME", "OPTIMIZER_MISMATCH", "OUTPUTS_DIFFER_AFTER_RESTORE",
             "PREDICTIONS_IGNORE_INPUT", "PREDICTIONS_DEPEND_ON_BATCH", "INPUT_MISMATCH",
             "TF1_API_IN_TF2")


def make_finding(code: str, what: str, fix: str, evidence: dict[str, Any] | None = None,
                 severity: str | None = None, track: str = "") -> Finding:
    """A Finding for `code` with this run's facts; title, why and link come from the catalog."""
    entry = CODES[code]
    why, anchor = entry.why, entry.tutorial
    if code == "SHAPE_MISMATCH" and track == "tf2":
        anchor = f"{OBJECTS}#shape-mismatch"
    if track == "estimator" and code in ESTIMATOR_VARIANTS:
        why, anchor = ESTIMATOR_VARIANTS[code]
    return Finding(code, severity or entry.severity, entry.title, what, why, fix, anchor,
                   tuple((evidence or {}).items()))
