"""Hostile submissions on the Estimator track (tests/tf/test_sandbox_attacks_estimator.py).

Each attack is a submission for the exercise estimator-serving: an attempt (printed as
`ATTEMPT <what>: <result>` lines) before the reference solution, or before a wrong one
whose dropout is on in every mode (NONDETERMINISTIC_PREDICT: a FAIL) when the attack tries
to turn it into a PASS. The check runs as four processes (trace beside train; then
restore: evaluate, and beside it predict: predict, resume); the code at the top of a
submission runs in each.
"""

from __future__ import annotations

from tests.helpers.attacks import ATTEMPT, SUBMISSIONS, Attack, contained

SOLUTION = (SUBMISSIONS / "estimator-serving" / "solution.py").read_text()
WRONG = (SUBMISSIONS / "estimator-serving" / "wrong_dropout_always_on.py").read_text()

# which stage process runs this code (its name, as the warm runner's stage process holds
# it while it loads the submission; "all" in a run in one process): the trace process
# runs beside train, so the files training leaves cannot tell
STAGE_NAME = '''
def stage_name():
    import sys
    frame = sys._getframe()
    while frame is not None and frame.f_code.co_name != "_stage":
        frame = frame.f_back
    return str(frame.f_locals["stage"]["name"]) if frame is not None else "all"
STAGE_NOW = stage_name()
'''
STAGE = STAGE_NAME + '''
def later_stage():
    return STAGE_NOW in ("restore", "predict")
def trained():  # training has started (in any process, at any time)
    return os.path.exists("trained.ok")
'''


def _contained(name: str, kind: str, code: str, solution: str = SOLUTION) -> Attack:
    return Attack(name, kind, STAGE + code, ("pass",), True, solution=solution)


def _forged(name: str, kind: str, code: str, solution: str = WRONG) -> Attack:
    """Never a pass, never full points: a wrong solution (or a right one whose restore the
    attack breaks) behind claims that try to look right."""
    return Attack(name, kind, STAGE + code, ("fail", "error"), False, solution=solution)


def _withheld(name: str, code: str, solution: str = WRONG) -> Attack:
    """A wrong solution whose process keeps a comparison from being made: whatever the
    verdict says, the check that rests on that comparison earns nothing."""
    return Attack(name, "forging predictions", STAGE + code, ("pass", "fail", "error"),
                  False, solution=solution)


# a perfect run's observations, made here by ckptlab's own runner on the reference solution
# (in a folder of its own): what a forger would send instead of its own
_PERFECT = '''
def perfect_obs():
    import pathlib, runpy, tempfile
    from ckptlab.checker.runners.estimator import run_estimator
    folder = pathlib.Path(tempfile.mkdtemp(dir="."))
    (folder / "good.py").write_text("""SOLUTION_SOURCE""")
    good = runpy.run_path(str(folder / "good.py"))
    return run_estimator(good, folder, {str(folder / "good.py")})
def send_everywhere(obs):
    import json
    line = (json.dumps({"stage": "finished", "obs": obs}, default=str) + "\\n").encode()
    for fd in range(3, 64):
        try:
            os.write(fd, line)
        except OSError:
            pass
    return "sent"
'''.replace("SOLUTION_SOURCE", SOLUTION.replace('"""', "'''"))

_READ_CHECKPOINT = '''
def checkpoint_values():
    """What the trained checkpoint holds, read with ckptlab's reader: a forger's 'restore'."""
    import numpy as np
    from ckptlab.checkpoint.load import inspect_checkpoint
    from ckptlab.checkpoint.values import read_value
    index = inspect_checkpoint(tf_latest("model_dir"))
    return {v.key: np.asarray(read_value(index, v.key), np.float64).ravel().tolist()
            for v in index.variables if v.dtype.startswith("float") or v.key == "global_step"}
def tf_latest(folder):
    import re
    text = open(os.path.join(folder, "checkpoint")).read()
    return os.path.join(folder, re.search(r'model_checkpoint_path: "([^"]+)"', text)[1])
'''

ATTACKS: list[Attack] = [
    _forged("forge_perfect_estimator_run", "fd writes", _PERFECT + '''
import json
if not later_stage():
    allowed("send a perfect run's observations on every fd", lambda: send_everywhere(
        perfect_obs()))
else:
    allowed("send forged evaluate/predict claims on every fd", lambda: send_everywhere({
        "track": "estimator", "errors": [], "stages": ["evaluate", "predict", "resume"]}))
os._exit(0)
'''),
    _forged("claim_training_only_in_later_stages", "forging evaluate/predict", _PERFECT + '''
if later_stage():  # training ran as it should; what comes after claims nothing to check
    allowed("end the later stages claiming only training", lambda: send_everywhere({
        "track": "estimator", "errors": [], "stages": ["train"]}))
    os._exit(0)
'''),
    Attack("outlive_the_train_stage", "fork survivors", STAGE + '''
import signal, time
def _outlive():
    """Processes that wait for the train stage's process to end, then kill whatever else
    appears (a reaper), and hop to a new pid again and again so a kill by pid misses."""
    stage = os.getpid()
    if os.fork():
        return "started"
    os.setsid()
    for _ in range(3):
        if os.fork() == 0:
            break
    while os.path.exists(f"/proc/{stage}"):
        time.sleep(0.001)
    mine = os.getsid(0)
    while True:
        for name in os.listdir("/proc"):
            if name.isdigit() and int(name) > 1:
                try:
                    if os.getsid(int(name)) != mine:
                        os.kill(int(name), signal.SIGKILL)
                except OSError:
                    pass
        if trained():  # alive while a later stage runs: leave a mark for it
            try:
                open("outlived.txt", "w").write("alive")
            except OSError:
                pass
        if os.fork():
            os._exit(0)
if not later_stage():
    allowed("start processes that outlive the stage", _outlive)
else:
    time.sleep(1.0)
    attempt("meet a process of the train stage", lambda: open("outlived.txt").read())
''', ("pass", "error"), False, solution=SOLUTION),
    _forged("forge_restore_claims", "forging evaluate/predict", _READ_CHECKPOINT + '''
import ckptlab.checker.runners.estimator as _runner
def _patch():
    # claim what the checkpoint holds as the session's values, and zero gaps
    _runner.reported_values = lambda arrays: checkpoint_values()
    _runner._largest_gap = lambda first, second: 0.0
    return "patched reported_values and _largest_gap"
if later_stage():
    allowed("claim restored values and zero gaps", _patch)
'''),
    _forged("restore_without_restoring", "restore without restoring", _READ_CHECKPOINT + '''
import tensorflow as _tf
import ckptlab.checker.runners.estimator as _runner
def _initialise(self, sess, save_path):
    sess.run(_tf.compat.v1.global_variables_initializer())
def _patch():
    # no checkpoint is read in this process: every session starts from its initializers,
    # while the values reported are the checkpoint's, read from disk
    _tf.compat.v1.train.Saver.restore = _initialise
    _runner.reported_values = lambda arrays: checkpoint_values()
    return "Saver.restore initialises instead; claimed values read from disk"
if later_stage():
    allowed("restore nothing, claim the checkpoint's values", _patch)
''', solution=SOLUTION),
    _forged("patch_numpy_in_stage", "monkeypatching numpy", '''
import numpy as _np
def _patch():
    _np.max = lambda *a, **k: 0.0
    _np.abs = lambda x, *a, **k: _np.zeros_like(x)
    _np.allclose = lambda *a, **k: True
    return "patched numpy.max/abs/allclose"
allowed("replace numpy functions in every stage", _patch)
'''),
    _forged("patch_tf_session_values", "monkeypatching TF", '''
import numpy as _np
import tensorflow as _tf
_real_run = _tf.compat.v1.Session.run
def _zeros_for_variables(self, fetches, *args, **kwargs):
    values = _real_run(self, fetches, *args, **kwargs)
    if isinstance(fetches, list) and fetches and all(hasattr(f, "initializer") for f in fetches):
        return [_np.zeros_like(v) for v in values]  # every variable read back as zeros
    return values
def _patch():
    _tf.compat.v1.Session.run = _zeros_for_variables
    return "patched Session.run"
if later_stage():
    allowed("make the restored variables read as zeros", _patch)
''', solution=SOLUTION),
    _contained("restore_stage_reads_evidence", "blind to the save stage's evidence", '''
import glob
def _planted(path):
    try:
        return open(path).read() == PLANTED
    except OSError:
        return False
def _look():  # what this stage finds (not what the restoring process beside it planted)
    planted = "evidence/after_train/checkpoint"
    if not _planted(planted):
        return sorted(glob.glob("**", recursive=True))
    return sorted(p for p in glob.glob("**", recursive=True)
                  if not p.startswith("evidence"))
PLANTED = 'model_checkpoint_path: "planted later"\\n'
def _plant():  # a later stage rewriting what training left as evidence
    staging = f".planting-{os.getpid()}"  # (hidden: glob("**") lists no dot names)
    os.makedirs(f"{staging}/evidence/after_train", exist_ok=True)
    open(f"{staging}/evidence/after_train/checkpoint", "w").write(PLANTED)
    # the whole folder at once: the process beside never sees it without its checkpoint
    os.rename(f"{staging}/evidence", "evidence")
    return "planted"
def _train_evidence():
    text = open("evidence/after_train/checkpoint").read()
    if text == PLANTED:  # the other restoring process beside this one planted it
        raise FileNotFoundError("only the file a later stage planted")
    return text
if later_stage():
    print("ATTEMPT work folder in a later stage:", _look(), flush=True)
    attempt("read the train stage's evidence", _train_evidence)
    attempt("read the pretrained folder", lambda: os.listdir("pretrained"))
    attempt("read the train stage's note", lambda: open("note.txt").read())
    allowed("plant evidence for the judge", _plant)
else:
    allowed("leave a note for the later stages", lambda: open("note.txt", "w").write("x"))
''', solution=SOLUTION + '\nWARM_START = {"vars_to_warm_start": ".*"}\n'),
]

# The limit of a judge that runs no learner code: predictions are what a learner process
# says they are. A forger that replays its first predict() call's outputs gets zero gaps.
_REPLAY = '''
import tensorflow as _tf
_estimator = _tf.compat.v1.estimator.Estimator
_real_predict = _estimator.predict
_seen = {}
def _replaying(self, input_fn, *args, **kwargs):
    key = getattr(input_fn, "__qualname__", "")
    if key not in _seen:
        _seen[key] = list(_real_predict(self, input_fn, *args, **kwargs))
    return iter(_seen[key])
def _patch():
    _estimator.predict = _replaying
    return "predict() replays its first outputs"
allowed("replay predictions", _patch)
'''
REPLAYED_PREDICTIONS = _forged("replay_predictions", "forging predictions", _REPLAY)
# ... and keeps the model as saved from being compared with them: no probe record at all,
# or a claimed reason to stand down (the judge can verify neither, so neither earns points)
ATTACKS += [
    _withheld("replay_and_never_probe_the_saved_model", _REPLAY + '''
if not later_stage():
    import ckptlab.checker.runners.estimator as _runner
    def _skip():
        _runner._saved_on_probe = lambda *args, **kwargs: None
        return "no outputs of the model as saved"
    allowed("skip the probes of the model as saved", _skip)
'''),
    _withheld("replay_and_claim_a_stand_down", _REPLAY + '''
if not later_stage():
    import ckptlab.checker.runners.estimator as _runner
    def _claim():
        _runner._saved_on_probe = lambda run, *args, **kwargs: _runner._not_compared(
            run, "restore", "fixed_batch", "features['x'] has the shape (8, 4)")
        return "a fixed batch size claimed"
    allowed("claim a reason not to compare", _claim)
'''),
]

# A wrong solution only the resumed train()'s comparison on the probes catches (a training
# hook sets a local variable at step 0 only: evaluate() and predict() are right), whose
# restore-stage process keeps that comparison from being made: no record (unverified), or a
# claimed reason to stand down (OUTPUTS_DIFFER_AFTER_RESTORE unjudged: no points rest on it)
_RESUME_BUG = SUBMISSIONS / "provoke" / "estimator_training_hook_sets_state_once.py"
RESUME_WRONG = "import numpy as np\n" + _RESUME_BUG.read_text() \
    + SOLUTION[SOLUTION.index("\ndef predict_many"):]
RESUME_ATTACKS = [
    Attack("resume_state_and_never_probe_the_resume", "forging predictions", STAGE + '''
if later_stage():
    import ckptlab.checker.runners.estimator as _runner
    def _skip():
        _runner._resume_on_probe = lambda *args, **kwargs: None
        return "no outputs of the model the resume restored"
    allowed("skip the probes of the resumed model", _skip)
''', ("error",), False, solution=RESUME_WRONG),
    Attack("resume_state_and_claim_a_resume_stand_down", "forging predictions", STAGE + '''
if later_stage():
    import ckptlab.checker.runners.estimator as _runner
    def _claim():
        _runner._resume_on_probe = lambda run, *args, **kwargs: _runner._not_compared(
            run, "resume", "fixed_batch", "features['x'] has the shape (8, 4)")
        return "a fixed batch size claimed for the resume"
    allowed("claim a reason not to compare the resume", _claim)
''', ("pass", "fail", "error"), False, solution=RESUME_WRONG),
]
# ... or whose own call of that restore raises: a mistake only evaluate() or only the
# resumed train() shows must not earn points by an exception in that call (it costs
# "runs" alone; 4/5 instead of 3/5 before such a failure left the comparison unjudged)
EVALUATE_WRONG = RESUME_WRONG.replace(
    "training_hooks=[SetInputScale(first_step_only=True)],\n"
    "                                      evaluation_hooks=[SetInputScale()])",
    "training_hooks=[SetInputScale()])")  # evaluate() alone runs without the scale
assert EVALUATE_WRONG != RESUME_WRONG
_RAISE_IN = STAGE + '''
import tensorflow as _tf
def _raise_in(method):
    def _failing(*args, **kwargs):
        raise RuntimeError("this submission makes " + method + "() fail")
    setattr(_tf.compat.v1.estimator.Estimator, method, _failing)
    return method + "() raises"
if later_stage():  # train(): only the resume calls it there
    allowed("make the call that shows the mistake raise", lambda: _raise_in("METHOD"))
'''
RAISING_ATTACKS = [
    Attack("resume_state_and_a_resume_that_raises", "forging predictions",
           _RAISE_IN.replace("METHOD", "train"), ("fail",), False, solution=RESUME_WRONG),
    Attack("evaluate_state_and_an_evaluate_that_raises", "forging predictions",
           _RAISE_IN.replace("METHOD", "evaluate"), ("fail",), False,
           solution=EVALUATE_WRONG),
]
# ... or whose process stands the checker's comparison of that one restore down (its probe
# run fails): the comparisons of the other restores do not earn the points it would decide
PREDICT_WRONG = RESUME_WRONG.replace(
    'predictions={"y": output},\n'
    "                                          prediction_hooks=[SetInputScale()])",
    'predictions={"y": output})').replace(
    "SetInputScale(first_step_only=True)", "SetInputScale()")  # predict() alone is wrong
assert PREDICT_WRONG.count("SetInputScale()") == 2
STOOD_DOWN_ATTACKS = [
    _withheld("evaluate_state_and_an_evaluate_probe_that_fails", '''
if later_stage():
    import ckptlab.checker.runners.estimator as _runner
    def _fail():
        _runner._evaluate_on_probe = lambda run, *args, **kwargs: _runner._not_compared(
            run, "evaluate", ValueError("one evaluation per process"))
        return "the probe run after evaluate() fails"
    allowed("make the evaluate() probe run fail", _fail)
''', EVALUATE_WRONG),
    _withheld("predict_state_and_a_predict_probe_that_fails", '''
import tensorflow as _tf
_calls = [0]
_real_predict = _tf.compat.v1.estimator.Estimator.predict
def _fourth_fails(self, *args, **kwargs):  # yours, predict_many's, yours, the checker's
    _calls[0] += 1
    if _calls[0] == 4:
        raise ValueError("four is unlucky")
    return _real_predict(self, *args, **kwargs)
def _patch():
    _tf.compat.v1.estimator.Estimator.predict = _fourth_fails
    return "the checker's predict() call fails"
if later_stage():
    allowed("make the checker's probe predict() fail", _patch)
''', PREDICT_WRONG),
]
ATTACKS += RESUME_ATTACKS + RAISING_ATTACKS + STOOD_DOWN_ATTACKS

# the same on the TF2 track (its stages: save, restore): the reference solution must pass
TF2_EVIDENCE = contained("restore_reads_saved_evidence", "blind to the save stage's evidence",
                         '''
def _plant():  # the restore stage rewriting the save stage's evidence for the judge
    os.makedirs("evidence", exist_ok=True)
    open("evidence/saved_model.index", "wb").write(b"forged")
    return "planted"
if os.path.exists("saved.ok"):  # the restore stage's process
    attempt("list the save stage's evidence", lambda: os.listdir("evidence") or 1 / 0)
    attempt("read the saved model's evidence", lambda: open("evidence/saved_model.index",
                                                             "rb").read(10))
    allowed("plant evidence of the saved model", _plant)
''')

__all__ = ["ATTACKS", "ATTEMPT", "EVALUATE_WRONG", "PREDICT_WRONG", "RAISING_ATTACKS",
           "REPLAYED_PREDICTIONS", "RESUME_ATTACKS", "RESUME_WRONG", "SOLUTION",
           "STOOD_DOWN_ATTACKS", "TF2_EVIDENCE", "WRONG"]
