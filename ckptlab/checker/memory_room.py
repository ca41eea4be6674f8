"""How much more memory this process's tree may use: the machine's available memory, and
the room left under every memory cgroup limit above it (a hub pod's limit is there, while
/proc/meminfo shows the whole host)."""

from __future__ import annotations

from pathlib import Path

from ckptlab.checker.cgroups import CGROUP_ROOT, SELF, own_and_above

__all__ = ["free_memory_mb"]

MEMINFO = Path("/proc/meminfo")
_FILES = {"v2": ("memory.max", "memory.current"),
          "v1": ("memory.limit_in_bytes", "memory.usage_in_bytes")}


def free_memory_mb(meminfo: Path = MEMINFO, root: Path = CGROUP_ROOT, own: Path = SELF
                   ) -> float:
    """The least of MemAvailable and (limit - usage) of each memory cgroup on the way up
    from this process's own; infinity where nothing can be read."""
    room = [_available_mb(meminfo)]
    for kind, place in own_and_above("memory", root, own):
        limit_file, usage_file = _FILES[kind]
        room.append(_left_mb(place / limit_file, place / usage_file))
    return min(room)


def _available_mb(meminfo: Path) -> float:
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return float("inf")


def _left_mb(limit_file: Path, usage_file: Path) -> float:
    try:
        limit = limit_file.read_text().strip()
        usage = int(usage_file.read_text())
    except (OSError, ValueError):
        return float("inf")
    if limit == "max" or not limit.isdigit() or int(limit) >= 1 << 60:  # v1: no limit
        return float("inf")
    return (int(limit) - usage) / (1 << 20)
