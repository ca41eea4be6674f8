"""The Estimator attack suite again, each check run as a notebook's is: in a spare sandbox
whose four stage processes were forked and warmed before the submission arrived
(ckptlab.checker.spares). The later stages' prepared processes wait in the same sandbox
while the first stages run learner code; two more attacks go after them: claims forged
into every descriptor reachable through /proc, and every other process killed.
"""

from __future__ import annotations

import pytest

from ckptlab.checker.spares import wait_for_spares
from tests.helpers.attacks import Attack
from tests.helpers.estimator_attacks import (
    _PERFECT,
    ATTACKS,
    REPLAYED_PREDICTIONS,
    SOLUTION,
    STAGE,
    TF2_EVIDENCE,
    WRONG,
)
from tests.tf.test_sandbox_attacks_estimator import (  # noqa: F401 (collected here too)
    _assert_stopped,
    attacks_run,
    test_a_later_stage_sees_only_the_model_dir,
    test_a_mistake_behind_a_raising_restore_earns_nothing,
    test_a_mistake_behind_a_stood_down_comparison_earns_nothing,
    test_a_withheld_resume_comparison_earns_nothing,
    test_estimator_attack_is_stopped,
    test_forged_claims_without_evidence_are_unverified,
    test_no_estimator_attack_left_anything_behind,
    test_replayed_predictions_do_not_pass,
    test_the_stages_ran_in_their_own_processes,
    test_values_read_as_zeros_do_not_pass,
)

MARK = "FORGED-INTO-A-PREPARED-PROCESS"
# the first stages (trace, train) write a perfect run's claims into every descriptor of
# every other process that /proc opens for them: the prepared restore and predict
# processes' claims pipes among them if they were reachable
FORGE_INTO_PREPARED = Attack("forge_into_prepared_processes", "fd writes", STAGE + _PERFECT + '''
import json
def forge_through_proc():
    line = (json.dumps({"stage": "finished", "obs": perfect_obs(), "mark": "MARK"},
                       default=str) + "\\n").encode()
    opened = []
    for pid in [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                with open(f"/proc/{pid}/fd/{fd}", "wb", buffering=0) as handle:
                    handle.write(line)
                opened.append(f"{pid}/{fd}")
            except OSError:
                pass
    return opened
if not later_stage():
    allowed("forge claims into every process's descriptors", forge_through_proc)
'''.replace("MARK", MARK), ("fail", "error"), False, solution=WRONG)
# the processes the train stage cannot look into (/proc/PID/fd closed to it: the waiting
# ones, not its peer trace process), as the train stage's learner code finds them
_WAITING = STAGE + '''
import signal
def waiting_processes():
    found = []
    for pid in [int(p) for p in os.listdir("/proc") if p.isdigit()]:
        try:
            if pid == os.getpid() or b"python" not in open(f"/proc/{pid}/cmdline", "rb").read():
                continue
            os.listdir(f"/proc/{pid}/fd")
        except PermissionError:
            found.append(pid)
        except OSError:
            pass
    if not found:
        raise RuntimeError("no process found that it cannot look into")
    return found
'''
# killed, or stopped with a signal left pending that ends it once continued: the later
# stages run in processes forked afresh, and the correct solution behind it passes
KILL_PREPARED = Attack("kill_the_waiting_processes", "killing the grader", _WAITING + '''
def kill_waiting():
    first, *others = waiting_processes()
    os.kill(first, signal.SIGKILL)
    for pid in others:  # stopped: SIGINT pending for the process, SIGTERM for a thread
        os.kill(pid, signal.SIGSTOP)
        os.kill(pid, signal.SIGINT)
        thread = max(int(tid) for tid in os.listdir(f"/proc/{pid}/task"))
        tgkill(pid, thread, signal.SIGTERM)
    return [first, *others]
def tgkill(pid, tid, number):
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)  # glibc's tgkill(2) wrapper
    if libc.tgkill(pid, tid, int(number)) != 0:
        raise OSError(ctypes.get_errno(), "tgkill")
if STAGE_NOW == "train":
    allowed("stop or kill the processes waiting in the sandbox", kill_waiting)
''', ("pass",), True, solution=SOLUTION)
# what a process of the same uid may change in another without tracing it: its resource
# limits, priority and CPUs; the waiting processes say so, and are forked afresh
TOUCH_PREPARED = Attack("change_the_waiting_processes", "killing the grader", _WAITING + '''
import resource
def touch_waiting():
    first, *others = waiting_processes()
    resource.prlimit(first, resource.RLIMIT_NOFILE, (16, 16))  # the whole process
    for pid in others:  # one thread only (not the main one): its priority and CPUs
        thread = max(int(tid) for tid in os.listdir(f"/proc/{pid}/task"))
        os.setpriority(os.PRIO_PROCESS, thread, 19)
        os.sched_setaffinity(thread, {min(os.sched_getaffinity(0))})
    return "changed"
if STAGE_NOW == "train":
    allowed("lower the limits and the priority of the processes waiting", touch_waiting)
''', ("pass",), True, solution=SOLUTION)
SPARE_ATTACKS = [FORGE_INTO_PREPARED, KILL_PREPARED, TOUCH_PREPARED]


@pytest.fixture(scope="module")
def attacked():
    wait_for_spares()
    every = [ATTACKS[0], *ATTACKS, REPLAYED_PREDICTIONS, TF2_EVIDENCE, *SPARE_ATTACKS]
    found = attacks_run(every, spare=True)
    found["spared"] = {name: not isinstance(result, Exception) and result[0].spare
                       for name, result in found["results"].items()}
    return found


def test_every_estimator_check_ran_in_a_spare(attacked):
    """The first check made the first spare; every Estimator check after it used one (a
    TF2 check has no warm-up: it runs in a fresh sandbox)."""
    spared = dict(attacked["spared"])
    assert spared.pop(TF2_EVIDENCE.name) is False
    assert all(spared.values()), spared
    # and ran in the spare's own processes: forked afresh only where an attack touched
    # them (these two always; a reaper left by the train stage kills them too)
    afresh = {name: result[0].afresh for name, result in attacked["results"].items()
              if not isinstance(result, Exception) and result[0].afresh}
    touched = {KILL_PREPARED.name, TOUCH_PREPARED.name}
    assert touched <= set(afresh) <= touched | {"outlive_the_train_stage"}, afresh
    assert all(stages == ["restore", "predict"] for stages in afresh.values()), afresh


def test_claims_forged_into_prepared_processes_never_arrive(attacked):
    outcome, report = attacked["results"][FORGE_INTO_PREPARED.name]
    _assert_stopped(attacked, FORGE_INTO_PREPARED)
    later = [claim for claim in outcome.claims if claim.get("_stage") in ("restore", "predict")]
    assert later, outcome.claims[:3]  # the later stages did run
    assert not [claim for claim in later if claim.get("mark") == MARK]
    assert report.verdict != "pass"


@pytest.mark.parametrize("attack, said", [
    (KILL_PREPARED, "stop or kill the processes waiting in the sandbox"),
    (TOUCH_PREPARED, "lower the limits and the priority of the processes waiting")],
    ids=["killed_or_stopped", "limits_changed"])
def test_waiting_processes_tampered_with_are_forked_afresh(attacked, attack, said):
    """Learner code of the first stages kills, stops or changes the waiting processes:
    the later stages run in fresh processes (their own limits, priority and CPUs) and the
    correct solution behind the attack passes with full points."""
    outcome, report, output = _assert_stopped(attacked, attack)
    assert f"ATTEMPT {said}: done" in output, output[-2000:]
    assert report.verdict == "pass", str(report)[:1500]
    assert outcome.spare and set(outcome.exits) == {"trace", "train", "restore", "predict"}
    assert outcome.afresh == ["restore", "predict"]
    assert all(code == 0 for code in outcome.exits.values()), outcome.exits
