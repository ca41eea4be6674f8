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
# the train stage stops or kills every process it cannot look into (/proc/PID/fd closed
# to it: the prepared ones, not its peer trace process): the later stages still run,
# forked afresh, and the correct solution behind the attack passes
KILL_PREPARED = Attack("kill_the_waiting_processes", "killing the grader", STAGE + '''
import signal
def kill_waiting():
    hit = []
    for pid in [int(p) for p in os.listdir("/proc") if p.isdigit()]:
        try:
            if pid == os.getpid() or b"python" not in open(f"/proc/{pid}/cmdline", "rb").read():
                continue
            os.listdir(f"/proc/{pid}/fd")
        except PermissionError:
            os.kill(pid, signal.SIGSTOP if len(hit) % 2 else signal.SIGKILL)
            hit.append(pid)
        except OSError:
            pass
    if not hit:
        raise RuntimeError("no process found that it cannot look into")
    return hit
if STAGE_NOW == "train":
    allowed("stop or kill the processes waiting in the sandbox", kill_waiting)
''', ("pass",), True, solution=SOLUTION)
SPARE_ATTACKS = [FORGE_INTO_PREPARED, KILL_PREPARED]


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


def test_claims_forged_into_prepared_processes_never_arrive(attacked):
    outcome, report = attacked["results"][FORGE_INTO_PREPARED.name]
    _assert_stopped(attacked, FORGE_INTO_PREPARED)
    later = [claim for claim in outcome.claims if claim.get("_stage") in ("restore", "predict")]
    assert later, outcome.claims[:3]  # the later stages did run
    assert not [claim for claim in later if claim.get("mark") == MARK]
    assert report.verdict != "pass"


def test_prepared_processes_killed_early_are_forked_afresh(attacked):
    """Learner code of the first stages stops or kills the waiting processes: the later
    stages run in fresh processes and the correct solution behind the attack passes."""
    outcome, report, output = _assert_stopped(attacked, KILL_PREPARED)
    assert "ATTEMPT stop or kill the processes waiting in the sandbox: done" in output, output
    assert report.verdict == "pass", str(report)[:1500]
    assert outcome.spare and {"restore", "predict"} <= set(outcome.exits), outcome.exits
