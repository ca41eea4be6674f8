"""Exercises on the Estimator track: a model_fn (and friends) run through train, evaluate,
predict and resume with new Estimators on one model_dir."""

from __future__ import annotations

from ckptlab.exercises.spec import Case, Exercise, runs_case

__all__ = ["ESTIMATOR_EXERCISES"]

# stages of the Estimator track: trace modes, train, evaluate, predict, resume, predict_many
_SAME_VARIABLES = Case("same_variables", 2, ("MODE_ONLY_VARIABLE", "REUSE_IN_NEW_GRAPH"),
                       "every mode creates the variables that TRAIN saves",
                       ("trace modes", "train"))
_STEP = Case("step_advances", 1, ("GLOBAL_STEP_NOT_INCREMENTED", "NO_CHECKPOINT"),
             "global_step advances and checkpoints are written", ("train", "resume"))

ESTIMATOR_EXERCISES = (
    Exercise(
        "estimator-first-model-fn", "A first model_fn that survives its own checkpoint",
        "estimator", ("model_fn",), (runs_case(), _SAME_VARIABLES, _STEP),
        "Write a linear model_fn for features {'x': [batch, 4]} that trains, evaluates and "
        "predicts from the checkpoint training wrote.",
        "00_start_here", (
            "Training saves only the variables the TRAIN graph created. Look at where the "
            "starter creates `b`: in which modes does it exist?",
            "evaluate() and predict() build a new graph and restore every variable of it "
            "from the checkpoint: a variable TRAIN never created is missing there.",
            "Create all variables before `if mode == ...`; branch only on what you return.",
        ), sections=(
            ("MODE_ONLY_VARIABLE", "tutorials/00_start_here.ipynb#check"),
            ("LEARNER_EXCEPTION", "tutorials/00_start_here.ipynb#learner-exception"),
            ("TIMEOUT", "tutorials/00_start_here.ipynb#timeout"),
        )),
    Exercise(
        "estimator-step-in-checkpoint", "The step number in the checkpoint's name",
        "estimator", ("model_fn",), (
            runs_case(),
            Case("step_advances", 3, ("GLOBAL_STEP_NOT_INCREMENTED", "NO_CHECKPOINT"),
                 "the hand-written train_op advances global_step, so checkpoints are "
                 "numbered by step", ("train",)),
        ),
        "Keep the hand-written gradient step (no optimizer), and make training write "
        "model.ckpt-N files whose N is the number of steps taken.",
        "01_inside_a_checkpoint", (
            "The N in model.ckpt-N is the value of the variable global_step when saving.",
            "The Estimator creates global_step for you; tf.train.get_global_step() returns "
            "it. A step counter of your own is just another variable.",
            "train_op may be several ops: tf.group(update, increment).",
        )),
    Exercise(
        "estimator-stable-names", "Names that mean the same layer in every mode",
        "estimator", ("model_fn",), (
            runs_case(),
            Case("stable_names", 3, ("NAME_DRIFT", "MODE_ONLY_VARIABLE", "REUSE_IN_NEW_GRAPH"),
                 "each checkpoint key names the same layer in TRAIN, EVAL and PREDICT",
                 ("trace modes", "train")),
        ),
        "Fix the gated model_fn so that every checkpoint key means the same layer in every "
        "mode, whatever order the layers are built in.",
        "02_variable_names_and_scopes", (
            "Unnamed layers are numbered in the order they are created: dense, dense_1, ...",
            "A variable's full name is its scopes plus its own name; both must be the same "
            "string in every mode.",
            "Give each layer a name= and use fixed scope names (never the mode) with "
            "tf.variable_scope.",
        )),
    Exercise(
        "estimator-spec-per-mode", "The EstimatorSpec each mode needs",
        "estimator", ("model_fn",), (
            runs_case(),
            Case("spec_fields", 2, ("SPEC_MISSING_FIELD",),
                 "TRAIN, EVAL and PREDICT each return the fields they need",
                 ("trace modes", "train", "evaluate", "predict")),
            Case("signature", 1, ("MODEL_FN_SIGNATURE",),
                 "model_fn takes the arguments the Estimator passes (params included)",
                 ("trace modes",)),
        ),
        "Complete model_fn so that TRAIN, EVAL and PREDICT each return a valid "
        "EstimatorSpec, reading the learning rate from params.",
        "03_model_fn_and_modes", (
            "PREDICT needs predictions; EVAL needs loss; TRAIN needs loss and train_op.",
            "Return early from the PREDICT branch: it has no labels, so no loss.",
            "An Estimator built with params= passes them only to a model_fn with an "
            "argument named params.",
        )),
    Exercise(
        "estimator-checkpoint-config", "Checkpoints you can resume from",
        "estimator", ("model_fn", "CONFIG"), (
            runs_case(),
            Case("checkpoints_written", 2, ("NO_CHECKPOINT",),
                 "the RunConfig settings let training write checkpoints", ("train",)),
            Case("step_advances", 2, ("GLOBAL_STEP_NOT_INCREMENTED",),
                 "global_step advances, so a resumed train() goes on from the last step",
                 ("train", "resume")),
        ),
        "Fix CONFIG (RunConfig arguments) so that training writes checkpoints (say every "
        "2 steps, keeping 3), and the model_fn so that training can be resumed.",
        "04_estimator_lifecycle", (
            "Checkpointing is off only when save_checkpoints_steps and "
            "save_checkpoints_secs are both None.",
            "Setting save_checkpoints_steps alone is enough; keep_checkpoint_max sets how "
            "many are kept.",
            "Resuming reads global_step from the latest checkpoint: the optimizer has to be "
            "told which variable to increment.",
        )),
    Exercise(
        "estimator-serving", "Serve many examples without restoring each time",
        "estimator", ("model_fn", "predict_many"), (
            runs_case(),
            # (predict_many runs after the first predict(): when that raised, it never ran)
            Case("one_restore", 2, ("EXCESSIVE_RESTORE",),
                 "predict_many builds one graph and restores once", ("predict", "predict_many")),
            # predictions of untrained or overwritten weights depend on more than that;
            # judged on every restore (predict(), evaluate(), the resumed train()): a
            # restore that did not run through shows nothing of what it brings back
            Case("deterministic", 2, ("NONDETERMINISTIC_PREDICT", "NO_CHECKPOINT",
                                      "RESTORE_OVERWRITTEN", "OUTPUTS_DIFFER_AFTER_RESTORE"),
                 "predictions depend only on the input and the checkpoint",
                 ("predict", "predict_many", "evaluate", "resume")),
        ),
        "Write predict_many(estimator, examples) for a trained Estimator.",
        "05_excessive_restoring", (
            "Each estimator.predict(...) call builds a graph and restores the checkpoint.",
            "One input_fn can yield all the examples; iterate over one predict() generator.",
            "Training-only randomness (dropout) must depend on mode.",
        )),
    Exercise(
        "estimator-mode-consistency", "One model_fn, three modes, one checkpoint",
        "estimator", ("model_fn",), (
            runs_case(), _SAME_VARIABLES,
            Case("stable_names", 2, ("NAME_DRIFT",),
                 "each name means the same layer in every mode", ("trace modes", "train")),
        ),
        "Write a model_fn whose EVAL and PREDICT graphs restore TRAIN's checkpoint.",
        "06_when_restores_go_wrong", (
            "Every mode gets a brand-new, empty graph: there is nothing to reuse.",
            "A variable that only EVAL or PREDICT creates was never saved.",
            "Build the same named layers in every mode, then branch on mode.",
        )),
    Exercise(
        "estimator-training-state", "Everything training must leave in the checkpoint",
        "estimator", ("model_fn",), (
            runs_case(), _STEP,
            Case("statistics_saved", 2, ("MISSING_UPDATE_OPS",),
                 "batch-normalization statistics are trained and saved", ("train",)),
            Case("shapes_agree", 1, ("SHAPE_MISMATCH",),
                 "the restoring model has the trained shapes", ("evaluate", "predict")),
        ),
        "Write a model_fn with batch normalization whose checkpoint is complete.",
        "06_when_restores_go_wrong_b", (
            "Look at moving_mean in the checkpoint after training: did it change?",
            "Batch normalization's statistics are updated by ops in the UPDATE_OPS "
            "collection, which no one runs unless train_op depends on them.",
            "tf.control_dependencies(...) around minimize(); and keep global_step in it.",
        )),
)
