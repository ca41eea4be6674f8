"""How many CPUs the checks of this machine may use: a check runs its stages that may
run at once ("alongside") one after the other when there is only one (Binder gives one):
at once they would cost a second stage process's memory and save no time."""

from __future__ import annotations

import math
import os
from pathlib import Path

from ckptlab.checker.cgroups import CGROUP_ROOT, SELF, own_and_above

__all__ = ["run_one_at_a_time", "usable_cpus"]


def usable_cpus(root: Path = CGROUP_ROOT, own: Path = SELF) -> int:
    """The CPUs this process may run on (its affinity), fewer when a CPU quota of its
    cgroup or of one above it (a container's CPU limit) allows less (rounded up). Never
    raises: what cannot be read counts as no limit."""
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # (no affinity off Linux)
        count = os.cpu_count() or 1
    try:
        quota = _quota(root, own)
    except Exception:  # a cgroup file of an unknown shape must not stop a check
        quota = None
    return max(1, min(count, math.ceil(quota))) if quota is not None else count


def run_one_at_a_time() -> bool:
    return usable_cpus() < 2


def _quota(root: Path, own: Path) -> float | None:
    """The smallest CPU quota (in CPUs) over the process's cgroup and its ancestors, in
    cgroup v2 (cpu.max) or v1 (cpu.cfs_quota_us / cpu.cfs_period_us); None without one."""
    found = [value for kind, place in own_and_above("cpu", root, own)
             if (value := (_v2_quota if kind == "v2" else _v1_quota)(place)) is not None]
    return min(found) if found else None


def _v2_quota(folder: Path) -> float | None:
    try:
        limit, period = (folder / "cpu.max").read_text().split()
        return None if limit == "max" or int(period) <= 0 else int(limit) / int(period)
    except (OSError, ValueError):
        return None


def _v1_quota(folder: Path) -> float | None:
    try:
        limit = int((folder / "cpu.cfs_quota_us").read_text())
        period = int((folder / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return None if limit <= 0 or period <= 0 else limit / period
