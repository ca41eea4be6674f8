"""What /proc tells of one process of a check (its pid namespace, whether it is a zombie,
the memory only it holds), and its pidfd (signals through which never reach a recycled pid)."""

from __future__ import annotations

import contextlib
import os
import select
import signal
from pathlib import Path

__all__ = ["kill_pidfd", "pid_namespace", "pidfd", "private_mb", "running", "zombie"]


def pid_namespace(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/ns/pid")
    except OSError:
        return ""


def zombie(pid: int) -> bool:
    """Dead but not yet collected by its parent (the namespace's init collects orphans)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"
    except (OSError, IndexError):
        return True  # gone already


def private_mb(pid: int) -> float:
    """Memory only this process holds (pages shared with the warm parent are not counted)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0.0
    total = 0
    for line in text.splitlines():
        if line.startswith(("Private_Clean:", "Private_Dirty:", "Swap:")):
            total += int(line.split()[1])
    return total / 1024


def pidfd(pid: int) -> int:
    """A pidfd of a live process (signals through it never reach a recycled pid), or -1."""
    try:
        return os.pidfd_open(pid)
    except OSError:
        return -1


def running(fd: int) -> bool:
    """The process of the pidfd `fd` has not exited (a pidfd turns readable when it does)."""
    return fd >= 0 and not select.select([fd], [], [], 0)[0]


def kill_pidfd(fd: int) -> None:
    if fd >= 0:
        with contextlib.suppress(OSError):
            signal.pidfd_send_signal(fd, signal.SIGKILL)
