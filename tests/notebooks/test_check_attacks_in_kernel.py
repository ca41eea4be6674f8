"""Hostile functions given to `ckptlab.check(...)` in a real Jupyter kernel (jupyter_client).

Each check's code calls os._exit, segfaults, allocates 3 GB or loops inside native code
(regex backtracking, where no Python exception can reach it). Each gets its verdict (the
check's own limits), the kernel lives on (same process, next cell runs), and the kernel's
TensorFlow state is untouched: its model's weights, its default graph, Keras' layer-name
counter.
"""

from __future__ import annotations

import json

import pytest
from jupyter_client.manager import start_new_kernel

from ckptlab.checker.isolation import support
from tests.conftest import skip_or_fail

SETUP = """
import json, os
import numpy as np
import tensorflow as tf
import ckptlab
keep = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])
weights = [w.numpy().copy() for w in keep.weights]
ops = len(tf.compat.v1.get_default_graph().get_operations())
def save(model, optimizer, directory):
    return tf.train.Checkpoint(model=model).write(directory + "/ckpt")
def restore(directory):
    model = build_model()
    tf.train.Checkpoint(model=model).read(directory + "/ckpt")
    return model
def state():
    return {"pid": os.getpid(), "ops": len(tf.compat.v1.get_default_graph().get_operations()),
            "weights": all(np.array_equal(a, w.numpy()) for a, w in zip(weights, keep.weights)),
            "next_layer": tf.keras.layers.Dense(1).name}
print(json.dumps(state()))
"""
ATTACKS = {
    "os_exit": ("os._exit(0)", 60, ("CRASHED",)),
    "segfault": ("import ctypes; ctypes.string_at(0)", 60, ("CRASHED",)),
    "memory_bomb": ("hog = bytearray(3 << 30)", 60, ("CRASHED",)),
    "native_loop": ("import re; re.match('(a*)*b', 'a' * 64)", 8, ("TIMEOUT",)),
}
CHECK = """
def build_model():
    {attack}
    return tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])
report = ckptlab.check(build_model=build_model, save=save, restore=restore, timeout={timeout})
print(json.dumps({{"verdict": report.verdict, "codes": report.codes(), "text": str(report),
                  "notes": list(report.notes)}}))
"""


def _run(client, code: str, timeout: float) -> str:
    """The cell's stdout; fails on an error or when the kernel does not answer in time."""
    out: list[str] = []

    def hook(message):
        content = message["content"]
        if message["msg_type"] == "stream" and content["name"] == "stdout":
            out.append(content["text"])
        elif message["msg_type"] == "error":
            out.append("ERROR " + content["ename"] + ": " + content["evalue"])

    reply = client.execute_interactive(code, timeout=timeout, output_hook=hook)
    assert reply["content"]["status"] == "ok", "".join(out)
    return "".join(out)


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    if not support().isolated:
        skip_or_fail(f"checks here are {support().describe()}", "apt-get install bubblewrap")
    manager, client = start_new_kernel(kernel_name="python3",
                                       cwd=str(tmp_path_factory.mktemp("kernel")))
    try:
        before = json.loads(_run(client, SETUP, 240).splitlines()[-1])
        yield {"client": client, "before": before, "state_calls": 1}
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_a_hostile_check_gets_its_verdict_and_the_kernel_lives(kernel, name):
    client, before = kernel["client"], kernel["before"]
    attack, timeout, codes = ATTACKS[name]
    # bounded: the check's own time limit plus the sandbox's start, or the cell fails
    printed = _run(client, CHECK.format(attack=attack, timeout=timeout), timeout + 120)
    report = json.loads(printed.splitlines()[-1])
    assert (report["verdict"], tuple(report["codes"])) == ("error", codes), report["text"]
    assert report["notes"] == [], report["notes"]  # isolated, nothing left running
    after = json.loads(_run(client, "print(json.dumps(state()))", 60))
    kernel["state_calls"] += 1
    assert after["pid"] == before["pid"]  # the same kernel process
    assert after["weights"] and after["ops"] == before["ops"]
    # each state() call named one Dense layer in this kernel; the checks named none here
    assert after["next_layer"] == f"dense_{kernel['state_calls']}"


HELPER_CELL = """def widen(x):
    raise ValueError("widen needs a batch")
"""
BUILD_CELL = """def build_model():
    widen(1)
    return tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])
"""
LOCATED = """
report = ckptlab.check(build_model=build_model, save=save, restore=restore, timeout=60)
print(json.dumps({"codes": report.codes(), "what": report.findings[0].what,
                  "evidence": dict(report.findings[0].evidence)}))
"""


def test_a_check_in_the_worker_names_the_learners_cell_and_line(kernel):
    """The functions travel to the sandboxed worker by cloudpickle, which renames their code
    '<dynamic-code>'; the report still says the cell's number and line, as the learner sees
    them left of the cells (the helper raised in its own cell, not in build_model's)."""
    client = kernel["client"]
    helper = client.execute_interactive(HELPER_CELL, timeout=30)["content"]["execution_count"]
    client.execute_interactive(BUILD_CELL, timeout=30)
    report = json.loads(_run(client, LOCATED, 180).splitlines()[-1])
    assert report["codes"] == ["LEARNER_EXCEPTION"], report
    where = f"cell [{helper}], line 2"
    assert report["what"].startswith("During build"), report
    assert report["what"].endswith(f"your code raised ValueError at {where}."), report
    assert report["evidence"]["in your code"] == where
