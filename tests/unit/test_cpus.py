"""How many CPUs a check may use (ckptlab.checker.cpus), and the order a group's stages
run in one at a time when there is only one (stage_names.in_turn)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ckptlab.checker.cgroups import CGROUP_ROOT
from ckptlab.checker.cpus import _quota, usable_cpus
from ckptlab.checker.runners.tracks import stages_of
from ckptlab.checker.stage_names import in_groups, in_turn

V1_CPU = Path("/sys/fs/cgroup/cpu")


def test_one_cpu_of_affinity_is_one_usable_cpu():
    cpu = min(os.sched_getaffinity(0))
    done = subprocess.run(
        [sys.executable, "-c", "from ckptlab.checker.cpus import usable_cpus; "
         "print(usable_cpus())"], capture_output=True, text=True, check=True,
        preexec_fn=lambda: os.sched_setaffinity(0, {cpu}))
    assert done.stdout.strip() == "1"


@pytest.mark.skipif(_quota(CGROUP_ROOT, Path("/proc/self/cgroup")) is not None,
                    reason="this machine's cgroup has a CPU quota")
def test_without_a_quota_every_cpu_of_the_affinity_counts():
    assert usable_cpus() == len(os.sched_getaffinity(0))


def test_cgroup_files_of_another_shape_count_as_no_limit(tmp_path):
    """Every check asks: a file it cannot make sense of must not stop one."""
    own = tmp_path / "self-cgroup"
    (tmp_path / "cgroup.controllers").write_text("cpu memory\n")  # a v2 mount
    everyone = len(os.sched_getaffinity(0))
    for text, cpu_max in [("\n\ngarbage\n0::/\n", "100000 0\n"),
                          ("0::/\n", "lots of cpu\n"), (b"\xff\xfe:\x00", "")]:
        own.write_bytes(text if isinstance(text, bytes) else text.encode())
        (tmp_path / "cpu.max").write_text(cpu_max)
        assert usable_cpus(tmp_path, own) == everyone, (text, cpu_max)


@pytest.mark.skipif(not os.access(V1_CPU, os.W_OK), reason="no writable cgroup v1 cpu "
                    "controller here (needs root on a cgroup v1 machine)")
def test_a_real_cgroup_v1_quota_of_one_cpu_caps_the_count():
    """A process in a real cpu cgroup limited to 1.5 CPUs may use 2 (rounded up), to one
    CPU 1, whatever its affinity."""
    found = {}
    for quota in (150_000, 100_000):
        group = V1_CPU / f"ckptlab-test-{os.getpid()}-{time.monotonic_ns()}"
        group.mkdir()
        try:
            (group / "cpu.cfs_period_us").write_text("100000")
            (group / "cpu.cfs_quota_us").write_text(str(quota))
            done = subprocess.run(
                [sys.executable, "-c", "from ckptlab.checker.cpus import usable_cpus; "
                 "print(usable_cpus())"], capture_output=True, text=True, check=True,
                preexec_fn=lambda place=group: (place / "cgroup.procs").write_text(
                    str(os.getpid())))
            found[quota] = int(done.stdout)
        finally:
            group.rmdir()
    assert found[100_000] == 1
    assert found[150_000] == min(2, len(os.sched_getaffinity(0)))


def test_a_cgroup_v2_cpu_max_caps_the_count(tmp_path):
    """cgroup v2's cpu.max ("quota period", or "max"), here or in a cgroup above, also in
    a hybrid layout (v2 mounted at unified/). (v2's cpu controller is not in this
    machine's v2 hierarchy: a folder laid out like one.)"""
    (tmp_path / "hub" / "user").mkdir(parents=True)
    (tmp_path / "cgroup.controllers").write_text("cpu memory\n")  # a v2 mount
    own = tmp_path / "self-cgroup"
    own.write_text("0::/hub/user\n")
    (tmp_path / "hub" / "user" / "cpu.max").write_text("max 100000\n")
    assert usable_cpus(tmp_path, own) == len(os.sched_getaffinity(0))
    (tmp_path / "hub" / "cpu.max").write_text("100000 100000\n")
    assert usable_cpus(tmp_path, own) == 1
    hybrid = tmp_path / "hybrid"
    (hybrid / "unified" / "hub").mkdir(parents=True)
    (hybrid / "unified" / "cgroup.controllers").write_text("cpu memory\n")
    (hybrid / "unified" / "hub" / "cpu.max").write_text("50000 100000\n")
    own.write_text("4:memory:/hub\n0::/hub\n")
    assert usable_cpus(hybrid, own) == 1


def test_in_turn_runs_the_stage_waited_for_first():
    groups = in_groups(stages_of("estimator"))
    assert [[stage["name"] for stage in in_turn(group)] for group in groups] == \
        [["train", "trace"], ["restore", "predict"]]
    chain = [{"name": "a", "waits_for": "b"}, {"name": "b", "waits_for": "c"}, {"name": "c"}]
    assert [stage["name"] for stage in in_turn(chain)] == ["c", "b", "a"]
    with pytest.raises(ValueError, match="circle"):
        in_turn([{"name": "a", "waits_for": "b"}, {"name": "b", "waits_for": "a"}])
