"""With one CPU (Binder gives one), the stages that run at once on two cores ("alongside")
run one after the other, each alone: at once they would cost a second stage process's
memory and save no time. Checked in a real process tree limited to one CPU (its
affinity), from the grader to the stage processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ckptlab.checker.isolation import support
from ckptlab.exercises import get_exercise
from tests.conftest import skip_or_fail
from tests.helpers.estimator_attacks import ATTACKS, SOLUTION, STAGE_NAME, WRONG

pytestmark = pytest.mark.timeout(900)

LEFT_BY_TRAIN = '''
import os, time
if STAGE_NOW == "train" and os.fork() == 0:  # left behind by training
    with open("left_by_train.pid", "w") as out:
        out.write(str(os.getpid()))
    time.sleep(600)
    os._exit(0)
if STAGE_NOW == "trace":  # the stage after it, one at a time
    time.sleep(0.5)
    try:
        left = int(open("left_by_train.pid").read())
        alive = open(f"/proc/{left}/stat").read().rsplit(") ", 1)[1][0] != "Z"
    except OSError:
        alive = False
    print("LEFT BY TRAIN ALIVE", alive, flush=True)
'''
LOOPING_TRAIN = '''
import time
import tensorflow as _tf
if STAGE_NOW == "train":
    def _loop(self, *args, **kwargs):
        while True:
            time.sleep(0.1)
    _tf.compat.v1.estimator.Estimator.train = _loop
'''
ON_ONE_CPU = '''
import json, sys
from concurrent.futures import ThreadPoolExecutor
from ckptlab.checker.cpus import usable_cpus
from ckptlab.checker.limits import Limits
from ckptlab.checker.runners.tracks import stages_of
from ckptlab.checker.sandbox import report_from_outcome
from ckptlab.checker.scoring import scored
from ckptlab.checker.warm import run_isolated
def check(case):
    source, timeout, exercise = case
    limits = Limits(timeout=timeout, memory_mb=1500, disk_mb=64, output_mb=2)
    outcome = run_isolated("estimator", source.encode(), "submission.py", "file", limits,
                           stages=stages_of("estimator"))
    report = report_from_outcome(outcome, "estimator", "submission.py", limits, exercise)
    return {"order": [[c["_stage"], c["stage"]] for c in outcome.claims
                      if c.get("stage") in ("started", "finished")],
            "exits": outcome.exits, "verdict": report.verdict,
            "points": sum(scored(report).case_points.values()),
            "headline": str(report).splitlines()[0],
            "did_not_end": [dict(f.evidence).get("did not end") for f in report.findings
                            if f.code == "TIMEOUT"],
            "probed": isinstance((outcome.stage_obs().get("estimator") or {}).get("probe"),
                                 dict),
            "output": outcome.output.decode(errors="replace")[-3000:],
            "survivors": outcome.survivors, "isolated": outcome.isolated}
cases = json.loads(sys.argv[1])
with ThreadPoolExecutor(max_workers=2) as pool:
    seen = dict(zip(cases, pool.map(check, cases.values())))
print(json.dumps({"cpus": usable_cpus(), **seen}))
'''
# the attacks of tests/tf/test_sandbox_attacks_estimator.py that lean on the order of the
# stages: a forged run, survivors waiting for a later stage, a later stage looking for
# training's evidence, training claimed only later, and the probes withheld
ORDERED_ATTACKS = [attack for attack in ATTACKS if attack.name in (
    "forge_perfect_estimator_run", "outlive_the_train_stage", "restore_stage_reads_evidence",
    "claim_training_only_in_later_stages", "replay_and_never_probe_the_saved_model")]
EXERCISE = get_exercise("estimator-serving")


@pytest.fixture(scope="module")
def on_one_cpu():
    if not support().isolated:
        skip_or_fail(f"checks here are {support().describe()}", "apt-get install bubblewrap")
    cpu = min(os.sched_getaffinity(0))
    cases = {"solution": (STAGE_NAME + SOLUTION, 90, None),
             "train_loops": (STAGE_NAME + LOOPING_TRAIN + SOLUTION, 25, None),
             "left_by_train": (STAGE_NAME + LEFT_BY_TRAIN + SOLUTION, 90, None),
             **{attack.name: (attack.source, 150, EXERCISE.id) for attack in ORDERED_ATTACKS}}
    done = subprocess.run([sys.executable, "-c", ON_ONE_CPU, json.dumps(cases)],
                          capture_output=True, text=True, timeout=900,
                          preexec_fn=lambda: os.sched_setaffinity(0, {cpu}))
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_grader_sees_one_cpu(on_one_cpu):
    assert on_one_cpu["cpus"] == 1


def test_stages_run_one_at_a_time_and_the_check_passes(on_one_cpu):
    seen = on_one_cpu["solution"]
    # train before the trace that waits for it, then restore before predict: each stage
    # ends before the next starts
    assert seen["order"] == [[name, step] for name in ("train", "trace", "restore", "predict")
                             for step in ("started", "finished")], seen["order"]
    assert seen["exits"] == {"trace": 0, "train": 0, "restore": 0, "predict": 0}
    assert seen["verdict"] == "pass", seen
    assert seen["probed"], seen  # the trace ran the model as trained on the probes
    assert seen["survivors"] == []


def test_a_stop_names_the_stage_that_ran_not_one_that_never_started(on_one_cpu):
    """train() never ended, so the trace never started: the report names train() only."""
    seen = on_one_cpu["train_loops"]
    assert [name for name, step in seen["order"] if step == "started"] == ["train"], seen
    assert seen["did_not_end"] == [["train()"]], seen
    assert "stopped in train()" in seen["headline"], seen["headline"]


@pytest.mark.parametrize("attack", ORDERED_ATTACKS, ids=[a.name for a in ORDERED_ATTACKS])
def test_attacks_on_the_order_of_the_stages_are_stopped_one_at_a_time(on_one_cpu, attack):
    """The same rules as the attack suite on two CPUs: the verdict, the points, the
    attempt really ran and reached nothing, no survivor."""
    seen = on_one_cpu[attack.name]
    assert seen["verdict"] in attack.verdicts, (seen["headline"], seen["output"])
    if attack.full_points:
        assert seen["points"] == EXERCISE.total, seen
    elif attack.solution == WRONG:
        assert seen["points"] < EXERCISE.total, seen
    assert "ATTEMPT " in seen["output"], seen["output"]
    assert ": REACHED" not in seen["output"], seen["output"]
    assert seen["isolated"] and seen["survivors"] == [], seen


def test_what_a_stage_left_ends_before_the_next_stage_starts(on_one_cpu):
    """One at a time, the trace starts after train: a process training left is dead by
    then (the supervisor kills it between the two, not only after the group)."""
    seen = on_one_cpu["left_by_train"]
    assert "LEFT BY TRAIN ALIVE False" in seen["output"], seen["output"]
    assert seen["verdict"] == "pass", seen
