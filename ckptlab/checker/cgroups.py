"""cgroups: where this process's cgroup is, per controller (the one reading of
/proc/self/cgroup, for the sandbox's limits and the CPU quota a check may use, cpus), and
the cgroups a check gets of its own (memory; pids: processes and threads together)."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

from ckptlab.checker.scratch import sweep_dead

__all__ = ["CGROUP_ROOT", "SELF", "CheckCgroup", "cgroup_kind", "own_and_above",
           "own_cgroup_dirs", "own_cgroups"]

CGROUP_ROOT = Path("/sys/fs/cgroup")
SELF = Path("/proc/self/cgroup")


def own_cgroups(controller: str, root: Path = CGROUP_ROOT, own: Path = SELF
                ) -> dict[str, tuple[Path, Path]]:
    """{"v2" or "v1": (the hierarchy's mount, this process's folder in it)} for
    `controller`: cgroup v2's unified hierarchy (at `root`, or at root/unified in a hybrid
    layout), v1's hierarchy of that controller (root/<controller>). Lines of another shape
    and an unreadable file are left out."""
    found: dict[str, tuple[Path, Path]] = {}
    try:
        lines = own.read_text(errors="replace").splitlines()
    except OSError:
        return found
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, relative = parts
        if controllers == "":
            for mount in (root, root / "unified"):
                if (mount / "cgroup.controllers").exists():
                    found["v2"] = (mount, mount / relative.lstrip("/"))
                    break
        elif controller in controllers.split(","):
            mount = root / controller
            found["v1"] = (mount, mount / relative.lstrip("/"))
    return found


def own_and_above(controller: str, root: Path = CGROUP_ROOT, own: Path = SELF
                  ) -> Iterator[tuple[str, Path]]:
    """("v2" or "v1", folder) for this process's cgroup of `controller` and each one
    above it, up to its hierarchy's mount: where a limit that applies to it may be set."""
    for kind, (mount, place) in own_cgroups(controller, root, own).items():
        while True:
            yield kind, place
            if place == mount or mount not in place.parents:
                break
            place = place.parent


def own_cgroup_dirs(controller: str) -> dict[str, Path]:
    """{"v2" or "v1": this process's folder} in the hierarchies holding `controller`."""
    return {kind: folder for kind, (_, folder) in own_cgroups(controller).items()}


def cgroup_kind(controller: str) -> str:
    """Where this process may make a cgroup of `controller` ("memory", "pids") for a
    check: "v2" (enabled for its children: cgroup.subtree_control), "v1" or ""."""
    dirs = own_cgroup_dirs(controller)
    v2 = dirs.get("v2")
    with contextlib.suppress(OSError):
        if v2 and controller in (v2 / "cgroup.subtree_control").read_text(
                errors="ignore").split() and os.access(v2, os.W_OK):
            return "v2"
    if "v1" in dirs and os.access(dirs["v1"], os.W_OK):
        return "v1"
    return ""


def _remove_stale(path: Path) -> None:
    """A dead grader's cgroup: its processes died with their sandbox; rmdir it."""
    with contextlib.suppress(OSError, ValueError):
        for pid in (path / "cgroup.procs").read_text().split():
            os.kill(int(pid), signal.SIGKILL)
    with contextlib.suppress(OSError):
        path.rmdir()


class CheckCgroup:
    """One check's cgroup in the hierarchy (`kind`, "v1" or "v2") of `controller`, with
    `settings` written into it ({file: value}; OSError if the first cannot be), removed
    afterwards. A later setting may be added with `set` (v2: pids.max beside memory)."""

    def __init__(self, controller: str, kind: str, settings: dict[str, int]):
        self.kind = kind
        parent = own_cgroup_dirs(controller)[kind]
        sweep_dead(parent, "ckptlab-", _remove_stale)  # a killed grader's cgroups
        self.path = parent / f"ckptlab-{os.getpid()}-{time.monotonic_ns()}"
        self.path.mkdir()
        first, *others = settings.items()
        if not self.set(*first):
            self.path.rmdir()
            raise OSError(f"cannot set {first[0]} in {self.path}")
        for name, value in others:
            self.set(name, value)

    def set(self, name: str, value: int) -> bool:
        try:
            (self.path / name).write_text(str(value))
            return True
        except OSError:
            return False

    def _read(self, name: str) -> str:
        with contextlib.suppress(OSError):
            return (self.path / name).read_text()
        return ""

    @property
    def procs(self) -> str:
        return str(self.path / "cgroup.procs")

    def pids(self) -> list[int]:
        return [int(p) for p in self._read("cgroup.procs").split() if p.isdigit()]

    def _events(self, name: str) -> dict[str, int]:
        found = {}
        for line in self._read(name).splitlines():
            key, _, value = line.partition(" ")
            with contextlib.suppress(ValueError):
                found[key] = int(value)
        return found

    def peak_mb(self) -> float:
        name = "memory.peak" if self.kind == "v2" else "memory.max_usage_in_bytes"
        with contextlib.suppress(ValueError):
            return int(self._read(name)) / (1 << 20)
        return 0.0

    def oom_killed(self) -> bool:
        name = "memory.events" if self.kind == "v2" else "memory.oom_control"
        return self._events(name).get("oom_kill", 0) > 0

    def processes_refused(self) -> bool:
        """A fork or a thread was refused ("max" in pids.events) while this cgroup held
        nearly its own pids.max: its limit, not an enclosing one (v1 counts a refusal
        here whichever limit on the way up refused it)."""
        if self._events("pids.events").get("max", 0) <= 0:
            return False
        try:
            return int(self._read("pids.current")) >= 0.9 * int(self._read("pids.max"))
        except ValueError:
            return False

    def kill_all(self) -> None:
        if self.kind == "v2" and (self.path / "cgroup.kill").exists():
            self.set("cgroup.kill", 1)
        for pid in self.pids():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)

    def remove(self) -> None:
        for _ in range(100):
            self.kill_all()
            try:
                self.path.rmdir()
                return
            except OSError:
                time.sleep(0.02)
