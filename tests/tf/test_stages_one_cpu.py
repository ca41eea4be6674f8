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
from tests.conftest import skip_or_fail
from tests.helpers.estimator_attacks import SOLUTION, STAGE_NAME

pytestmark = pytest.mark.timeout(300)

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
from ckptlab.checker.cpus import usable_cpus
from ckptlab.checker.isolation import Limits
from ckptlab.checker.runners.tracks import stages_of
from ckptlab.checker.sandbox import report_from_outcome
from ckptlab.checker.warm import run_isolated
limits = Limits(timeout=25, memory_mb=2000)
seen = {"cpus": usable_cpus()}
for case, source in json.loads(sys.argv[1]).items():
    outcome = run_isolated("estimator", source.encode(), "submission.py", "file", limits,
                           stages=stages_of("estimator"))
    report = report_from_outcome(outcome, "estimator", "submission.py", limits)
    seen[case] = {"order": [[c["_stage"], c["stage"]] for c in outcome.claims
                            if c.get("stage") in ("started", "finished")],
                  "exits": outcome.exits, "verdict": report.verdict,
                  "headline": str(report).splitlines()[0],
                  "did_not_end": [dict(f.evidence).get("did not end") for f in report.findings
                                  if f.code == "TIMEOUT"],
                  "survivors": outcome.survivors}
print(json.dumps(seen))
'''


@pytest.fixture(scope="module")
def on_one_cpu():
    if not support().isolated:
        skip_or_fail(f"checks here are {support().describe()}", "apt-get install bubblewrap")
    cpu = min(os.sched_getaffinity(0))
    sources = {"solution": STAGE_NAME + SOLUTION,
               "train_loops": STAGE_NAME + LOOPING_TRAIN + SOLUTION}
    done = subprocess.run([sys.executable, "-c", ON_ONE_CPU, json.dumps(sources)],
                          capture_output=True, text=True, timeout=240,
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
    assert seen["survivors"] == []


def test_a_stop_names_the_stage_that_ran_not_one_that_never_started(on_one_cpu):
    """train() never ended, so the trace never started: the report names train() only."""
    seen = on_one_cpu["train_loops"]
    assert [name for name, step in seen["order"] if step == "started"] == ["train"], seen
    assert seen["did_not_end"] == [["train()"]], seen
    assert "stopped in train()" in seen["headline"], seen["headline"]
