"""Every finding code, provoked with real TensorFlow in the sandbox, against golden text.

Submissions under tests/submissions/ run through `check_file` (sandbox, limits),
two at a time. Each diagnoser's full learner-facing text is compared with
tests/tf/golden/check/<CODE>.txt; decimals are masked because float values differ
across CPUs. Regenerate with CKPTLAB_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ckptlab.checker.isolation import support
from ckptlab.checker.sandbox import Limits, check_file
from ckptlab.render.report import finding_text
from tests.helpers.golden import masked

SUBMISSIONS = Path(__file__).resolve().parents[1] / "submissions"
GOLDEN = Path(__file__).resolve().parent / "golden" / "check"
UPDATE = os.environ.get("CKPTLAB_UPDATE_GOLDEN") == "1"

# code -> the submission that provokes it (and the verdict expected for that file)
PROVOKED = {
    "SPEC_MISSING_FIELD": "provoke/estimator_missing_loss.py",
    "SPEC_MISSING_FIELD@empty_predictions": "provoke/estimator_empty_predictions.py",
    "MODEL_FN_SIGNATURE": "provoke/estimator_signature.py",
    "MODE_ONLY_VARIABLE": "estimator-mode-consistency/wrong_mode_only_variable.py",
    "REUSE_IN_NEW_GRAPH": "estimator-mode-consistency/wrong_reuse_outside_train.py",
    "NAME_DRIFT": "estimator-mode-consistency/wrong_auto_named_swap.py",
    # two mistakes in one model_fn: two causes, neither folded under the other
    "NAME_DRIFT@beside_mode_only_variable": "provoke/estimator_two_mistakes.py",
    "MODE_ONLY_VARIABLE@beside_name_drift": "provoke/estimator_two_mistakes.py",
    "SHAPE_MISMATCH": "estimator-training-state/wrong_params_shape_change.py",
    "GLOBAL_STEP_NOT_INCREMENTED": "estimator-training-state/wrong_no_global_step.py",
    # UPDATE_OPS done right, step never moved: the step-0 checkpoint predates training
    "GLOBAL_STEP_NOT_INCREMENTED@batch_norm":
        "provoke/estimator_update_ops_without_global_step.py",
    "NONDETERMINISTIC_PREDICT": "estimator-serving/wrong_dropout_always_on.py",
    "NO_CHECKPOINT": "provoke/estimator_no_checkpoint.py",
    "MISSING_UPDATE_OPS": "estimator-training-state/wrong_missing_update_ops.py",
    "UPDATE_NEVER_RUNS@scalar": "provoke/estimator_scalar_update_never_runs.py",
    # predictions that mix the examples of a batch (one at a time vs in one batch)
    "PREDICTIONS_DEPEND_ON_BATCH": "provoke/estimator_normalize_over_batch.py",
    "PREDICTIONS_DEPEND_ON_BATCH@tf2": "provoke/tf2_scale_by_batch_max.py",
    # batch statistics in EVAL too (mode != PREDICT): the EVAL spec's predictions disagree
    "EVAL_PREDICT_DIFFER": "provoke/estimator_eval_batch_statistics.py",
    # the model as saved vs the model predict() restored, on the checker's probes
    "OUTPUTS_DIFFER_AFTER_RESTORE@local_variable":
        "provoke/estimator_running_mean_in_local_variable.py",
    "OUTPUTS_DIFFER_AFTER_RESTORE@python_value": "provoke/estimator_mean_in_python_global.py",
    # only evaluate()'s restore goes wrong (an evaluation hook sets a local variable): its
    # variables match the checkpoint, its outputs on the probes do not
    "OUTPUTS_DIFFER_AFTER_RESTORE@evaluate_hook":
        "provoke/estimator_evaluation_hook_sets_state.py",
    # only the resumed train() goes wrong (a training hook sets a local variable at step 0
    # only): its checkpoint values match, its outputs on the probes do not
    "OUTPUTS_DIFFER_AFTER_RESTORE@resume_hook":
        "provoke/estimator_training_hook_sets_state_once.py",
    # hooks that assign after the restore in evaluate() and predict() (no resume affected)
    "RESTORE_OVERWRITTEN@evaluate_and_predict":
        "provoke/estimator_prediction_hook_loads_pretrained.py",
    "EXCESSIVE_RESTORE": "estimator-serving/wrong_predict_per_example.py",
    "MODEL_DIR_TEMPORARY": "provoke/estimator_temporary_model_dir.py",
    "UNRESOLVED_OBJECTS": "tf2-round-trip/wrong_unbuilt_assert_consumed.py",
    "RESTORE_INTO_UNBUILT_MODEL": "tf2-round-trip/wrong_unbuilt_assert_consumed.py",
    "OBJECT_PATH_MISMATCH": "tf2-round-trip/wrong_renamed_expect_partial.py",
    # a wrong path or object path is the cause there: the values are its evidence
    "VALUES_NOT_RESTORED": "../corpus/cases/tf2_optimizer_not_saved.py",
    # save and restore run in separate processes: an object kept in memory cannot pass
    "VALUES_NOT_RESTORED@in_memory": "provoke/tf2_restore_returns_model_in_memory.py",
    "WRONG_CHECKPOINT_PATH": "tf2-round-trip/wrong_write_then_latest.py",
    "FORMAT_MISMATCH": "provoke/tf2_format_mismatch.py",
    "SHAPE_MISMATCH@tf2": "provoke/tf2_shape_change.py",
    "LEARNER_EXCEPTION": "provoke/learner_exception.py",
    "TIMEOUT": "provoke/infinite_loop.py",
    "CRASHED": "provoke/os_exit.py",
    "CRASHED@segfault": "provoke/segfault.py",
    "CRASHED@memory": "provoke/memory_bomb.py",
    "CRASHED@processes": "provoke/thread_flood.py",
}
# submission -> the note its report must hold: a comparison of outputs after restore that
# stands down says why (checker/not_compared), provoked for real
STAND_DOWNS = {
    "estimator-training-state/wrong_params_shape_change.py":
        "outputs after restore not compared because RESTORE_PARAMS differ from PARAMS",
    "provoke/estimator_fixed_batch_input.py":
        "outputs after restore not compared because the model needs a fixed batch size "
        "(features['x'] has the shape (8, 4))",
    # evaluating with the moving averages of the weights, restored by name maps
    "../corpus/cases/ok_est_ema_weights_for_eval.py":
        "outputs after predict()'s restore not compared because a Saver maps checkpoint "
        "names onto other variables",
}
LIMITS = Limits(timeout=60, memory_mb=1500)


# the folders a learner owns here: every checked submission's folder (corpus cases too)
OWNED = sorted({(SUBMISSIONS / name).resolve().parent
                for name in [*PROVOKED.values(), *STAND_DOWNS]})


def _owned_files() -> dict[str, tuple[str, int, int]]:
    """Every file in OWNED -> (sha256 of its bytes, its mode, its mtime in ns): a file
    rewritten with the same bytes, made executable or touched counts as modified."""
    found = {}
    for folder in OWNED:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                stat = path.stat()
                found[str(path)] = (hashlib.sha256(path.read_bytes()).hexdigest(),
                                    stat.st_mode, stat.st_mtime_ns)
    return found


@pytest.fixture(scope="module")
def before():
    return _owned_files()


@pytest.fixture(scope="module")
def reports(request, before):
    selected = {item.callspec.params.get("key") for item in request.session.items
                if item.module is request.module and hasattr(item, "callspec")}
    with_key = {PROVOKED[key] for key in selected if key}
    others = any(not hasattr(item, "callspec") for item in request.session.items
                 if item.module is request.module)
    files = sorted({*PROVOKED.values(), *STAND_DOWNS} if others else with_key)
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = pool.map(lambda name: check_file(SUBMISSIONS / name, LIMITS), files)
        return dict(zip(files, done, strict=True))


@pytest.mark.parametrize("key", sorted(PROVOKED))
def test_finding_text_matches_golden(reports, key):
    if key == "CRASHED@processes" and not support().pids:
        pytest.skip("no pids cgroup here: the limit is RLIMIT_NPROC or none, not told apart")
    code = key.split("@")[0]
    report = reports[PROVOKED[key]]
    found = [f for f in report.findings if f.code == code]
    assert found, f"{PROVOKED[key]} did not produce {code}; got {report.codes()}"
    text = masked(finding_text(found[0])) + "\n"
    golden = GOLDEN / f"{key.replace('@', '.')}.txt"
    if UPDATE or not golden.exists():
        golden.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"golden file {golden.name} was missing and has been written; rerun")
    assert text == golden.read_text(encoding="utf-8")


def test_limits_become_timeout_and_crash_with_partial_results(reports):
    timeout = reports["provoke/infinite_loop.py"]
    assert timeout.verdict == "error" and timeout.codes() == ["TIMEOUT"]
    assert timeout.stages[-1] == "save"  # what ran before the hang was kept
    memory = reports["provoke/memory_bomb.py"].findings[0]
    assert dict(memory.evidence)["cause"] == (
        "memory limit of 1500 MB exceeded (all processes together)")
    segfault = reports["provoke/segfault.py"].findings[0]
    assert dict(segfault.evidence)["cause"] == "killed by signal SIGSEGV"
    threads = reports["provoke/thread_flood.py"].findings[0]
    assert dict(threads.evidence)["cause"] == (
        f"limit of {LIMITS.processes} processes and threads exceeded (all your code "
        "together)")
    assert threads.fix.startswith("Start a few threads or processes and reuse them")


def test_a_step_that_never_moves_is_the_one_cause(reports):
    """Its UPDATE_OPS are run with the train_op: the statistics in the step-0 checkpoint
    are initial because it was written before training, not because of UPDATE_OPS."""
    report = reports["provoke/estimator_update_ops_without_global_step.py"]
    assert report.codes() == ["GLOBAL_STEP_NOT_INCREMENTED"]
    assert "before the first step" in dict(report.findings[0].evidence)["not judged yet"]


def test_stand_downs_are_said(reports):
    """Outputs after restore that are not compared: the report's note says why (and a
    model that is otherwise right still passes)."""
    for name, expected in STAND_DOWNS.items():
        notes = reports[name].notes
        assert any(note.startswith(expected) for note in notes), (name, notes)
    for name in ("provoke/estimator_fixed_batch_input.py",
                 "../corpus/cases/ok_est_ema_weights_for_eval.py"):
        assert reports[name].verdict == "pass", reports[name].codes()


def test_learner_files_are_never_modified(reports, before):
    """After every check, the learner's folders hold the same files with the same bytes,
    mode and mtime: nothing written next to them, changed, touched or deleted."""
    assert reports
    after = _owned_files()
    assert sorted(set(after) - set(before)) == [], "files written next to a submission"
    assert sorted(set(before) - set(after)) == [], "submission files deleted"
    assert [name for name in before if after[name] != before[name]] == [], "files modified"
