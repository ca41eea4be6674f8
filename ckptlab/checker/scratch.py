"""Scratch folders a killed grader cannot leave behind for good.

A check's scratch folder (and its memory cgroup) is removed when the check ends, but a
grader killed by SIGKILL (the OOM killer, `kill -9`, a hub culling a kernel) runs no
clean-up. So every such folder carries its owner's pid in its name,
`ckptlab-<kind>-<pid>-<random>`, and the first scratch folder a process makes sweeps
away those whose owner is no longer alive. A folder whose pid is alive (the owner, or a
process that reused its pid) is never touched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["owner_alive", "scratch_folder", "sweep_dead"]

_swept: set[tuple[str, str]] = set()  # (parent folder, prefix) swept by this process


def owner_alive(pid: int) -> bool:
    """Whether a process with this pid exists (ours or anybody's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner(name: str, prefix: str) -> int:
    """The pid in `<prefix><pid>-...`, or 0 when the name does not have one."""
    pid, _, _ = name[len(prefix):].partition("-")
    return int(pid) if name.startswith(prefix) and pid.isdigit() else 0


def sweep_dead(parent: Path, prefix: str, remove: Callable[[Path], None]) -> list[Path]:
    """Remove (with `remove`) every `parent/<prefix><pid>-*` whose pid is dead, once per
    process for each (parent, prefix); returns what was removed."""
    if (str(parent), prefix) in _swept:
        return []
    _swept.add((str(parent), prefix))
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(parent):
            pid = _owner(entry.name, prefix)
            if pid and pid != os.getpid() and not owner_alive(pid) and entry.is_dir(
                    follow_symlinks=False):
                remove(Path(entry.path))
                removed.append(Path(entry.path))
    return removed


def scratch_folder(kind: str) -> tempfile.TemporaryDirectory:
    """A new `ckptlab-<kind>-<pid>-*` folder in the temporary folder (removed by its
    cleanup); dead owners' folders of the same kind are swept first."""
    prefix = f"ckptlab-{kind}-"
    sweep_dead(Path(tempfile.gettempdir()), prefix,
               lambda path: shutil.rmtree(path, ignore_errors=True))
    return tempfile.TemporaryDirectory(prefix=f"{prefix}{os.getpid()}-")
