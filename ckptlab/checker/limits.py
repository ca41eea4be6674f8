"""The limits of one check (time, memory, disk, output, processes) and the range of each."""

from __future__ import annotations

from dataclasses import dataclass

from ckptlab.errors import UsageError

__all__ = ["DEFAULT_MEMORY_MB", "DEFAULT_PROCESSES", "DEFAULT_TIMEOUT", "Limits"]

DEFAULT_TIMEOUT = 120.0
DEFAULT_MEMORY_MB = 2048
DEFAULT_DISK_MB = 256
DEFAULT_OUTPUT_MB = 4
# processes and threads of a check together: a check of a small model uses about 35 on two
# cores (TensorFlow's thread pools grow with the cores); the kernel's default
# kernel.pid_max is 32768 for the whole machine, which one submission could use up
DEFAULT_PROCESSES = 4096


@dataclass(frozen=True)
class _Range:
    what: str
    low: float
    high: float
    whole: bool  # a whole number (a time limit may be a fraction of a second)
    where: str  # where a learner or an instructor sets it


_OF_LIMITS = "of ckptlab.checker.limits.Limits"
_CLI = "(ckptlab check, grade)"
# processes: up to the kernel's PID_MAX_LIMIT
_RANGES = {
    "timeout": _Range("time limit in seconds", 0.1, 86400.0, False,
                      f"--timeout {_CLI} or timeout= (ckptlab.check())"),
    "memory_mb": _Range("memory limit in MB", 1, 1 << 30, True,
                        f"--memory-mb {_CLI} or memory_mb= {_OF_LIMITS}"),
    "disk_mb": _Range("disk limit in MB", 1, 1 << 30, True, f"disk_mb= {_OF_LIMITS}"),
    "output_mb": _Range("output limit in MB", 1, 1 << 20, True, f"output_mb= {_OF_LIMITS}"),
    "processes": _Range("limit on processes and threads", 1, 4194304, True,
                        f"--processes {_CLI} or processes= {_OF_LIMITS}"),
}


def _in_range(value: object, bounds: _Range) -> bool:
    kinds = (int,) if bounds.whole else (int, float)
    return (not isinstance(value, bool) and isinstance(value, kinds)
            and bounds.low <= value <= bounds.high)


@dataclass(frozen=True)
class Limits:
    """What one check may use; a value out of its range is a UsageError naming it."""

    timeout: float = DEFAULT_TIMEOUT
    memory_mb: int = DEFAULT_MEMORY_MB
    disk_mb: int = DEFAULT_DISK_MB
    output_mb: int = DEFAULT_OUTPUT_MB
    processes: int = DEFAULT_PROCESSES

    def __post_init__(self):
        for name, bounds in _RANGES.items():
            value = getattr(self, name)
            if not _in_range(value, bounds):
                number = "a whole number" if bounds.whole else "a number"
                raise UsageError(
                    f"The check's {bounds.what} ({name}) must be {number} from {bounds.low} "
                    f"to {bounds.high}.", fix=f"Give {bounds.where} a value in that range, "
                    f"or leave it out (default {getattr(Limits, name)}).", received=value)
