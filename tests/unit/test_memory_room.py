"""free_memory_mb: the least of the machine's available memory and the room under each
memory cgroup limit on the way up (files laid out as the kernel shows them)."""

from __future__ import annotations

from pathlib import Path

from ckptlab.checker.memory_room import free_memory_mb

MB = 1 << 20


def _meminfo(tmp_path: Path, available_kb: int) -> Path:
    path = tmp_path / "meminfo"
    path.write_text(f"MemTotal:       24000000 kB\nMemAvailable:   {available_kb} kB\n")
    return path


def _self(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "self_cgroup"
    path.write_text(text)
    return path


def test_without_a_cgroup_limit_the_machine_decides(tmp_path):
    root = tmp_path / "cgroup"
    (root / "user").mkdir(parents=True)
    (root / "cgroup.controllers").write_text("memory pids\n")
    (root / "user" / "memory.max").write_text("max\n")
    (root / "user" / "memory.current").write_text(str(900 * MB))
    assert free_memory_mb(_meminfo(tmp_path, 3 * 1024 * 1024), root,
                          _self(tmp_path, "0::/user\n")) == 3 * 1024


def test_a_pod_limit_above_the_process_counts_v2(tmp_path):
    root = tmp_path / "cgroup"
    (root / "pod" / "kernel").mkdir(parents=True)
    (root / "cgroup.controllers").write_text("memory\n")
    (root / "pod" / "memory.max").write_text(str(2048 * MB))
    (root / "pod" / "memory.current").write_text(str(1500 * MB))
    (root / "pod" / "kernel" / "memory.max").write_text("max\n")
    (root / "pod" / "kernel" / "memory.current").write_text(str(1400 * MB))
    room = free_memory_mb(_meminfo(tmp_path, 20 * 1024 * 1024), root,
                          _self(tmp_path, "0::/pod/kernel\n"))
    assert room == 548


def test_a_v1_limit_counts_and_v1_no_limit_does_not(tmp_path):
    root = tmp_path / "cgroup"
    place = root / "memory" / "hub" / "user"
    place.mkdir(parents=True)
    (root / "memory" / "hub" / "memory.limit_in_bytes").write_text(str(1024 * MB))
    (root / "memory" / "hub" / "memory.usage_in_bytes").write_text(str(700 * MB))
    (place / "memory.limit_in_bytes").write_text(str(9223372036854771712))  # v1: none
    (place / "memory.usage_in_bytes").write_text(str(600 * MB))
    room = free_memory_mb(_meminfo(tmp_path, 20 * 1024 * 1024), root,
                          _self(tmp_path, "12:memory:/hub/user\n"))
    assert room == 324


def test_nothing_readable_is_no_limit(tmp_path):
    assert free_memory_mb(tmp_path / "none", tmp_path / "none", tmp_path / "none") == float(
        "inf")
