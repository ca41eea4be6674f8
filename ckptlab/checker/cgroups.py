"""Where this process's cgroup is, per controller: the one reading of /proc/self/cgroup
for the sandbox's memory limit (isolation) and the CPU quota a check may use (cpus)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["CGROUP_ROOT", "SELF", "own_cgroups"]

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
