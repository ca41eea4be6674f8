"""The host side of the sandbox: one bubblewrap sandbox per check, limits over its process tree.

A check's sandbox is a set of fresh Linux namespaces made by bubblewrap (`bwrap`): its own
mount namespace (the filesystem is read-only except the check's private scratch folder;
only the Python installation and the ckptlab package are visible, nothing of the
submissions folder, the output folder, $HOME or the grader's cwd), its own pid namespace
(learner processes see only each other; when the sandbox's init dies the kernel kills every
process left in it, however it was forked or detached), its own network namespace (no
network, not even the host's loopback), its own IPC and UTS namespaces. Learner code runs
as uid 65534 with no capabilities, under PR_SET_NO_NEW_PRIVS, and (a grader that is not
root, bubblewrap 0.8 and later) cannot make a user namespace of its own. The command line:
ckptlab.checker.bwrap.

`Sandbox` only makes the namespaces (a tiny holder process keeps them alive); the warm
process that runs the check joins them (see runner_zygote). Memory is limited over the
whole tree with a memory cgroup when this machine lets us make one, and is always also
measured over every process of the sandbox's pid namespace (private memory, so pages
shared with the warm parent are not counted). Processes and threads together are limited
by a pids cgroup of the check's own (where none can be made, by RLIMIT_NPROC when the
sandbox's user namespace counts them; as root, not at all), so no submission can use up
the machine's process ids. Disk is limited by RLIMIT_FSIZE per file
and by the total size of the scratch folder; output by a byte count on the pipe.

Where bubblewrap cannot run, `support()` says why and checks run unisolated.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from ckptlab.checker.bwrap import INSIDE, SANDBOX_UID, Bwrap, prepare_scratch, probe
from ckptlab.checker.cgroups import CheckCgroup, cgroup_kind
from ckptlab.checker.limits import Limits
from ckptlab.checker.procfs import kill_pidfd, pid_namespace, pidfd, private_mb, running, zombie
from ckptlab.checker.scratch import scratch_folder

__all__ = ["Sandbox", "Support", "support"]

MEMORY_POLL_SECONDS = 0.2  # measuring the tree's memory without a cgroup, this often


@dataclass(frozen=True)
class Support:
    """Whether checks here are isolated, and how (or why not)."""

    isolated: bool
    reason: str  # why not, when not isolated
    userns: bool = False  # True when not root: bwrap maps uid 65534 onto ours
    cgroup: str = ""  # "v1" or "v2" when memory is limited by a cgroup
    pids: str = ""  # "v1" or "v2" when processes are limited by a pids cgroup
    # RLIMIT_NPROC counts the check's own processes here (a user namespace of its own on
    # Linux >= 5.14; as root uid 65534 is every check's): the limit where a check gets no
    # pids cgroup (none here, or one that could not be made or set)
    nproc: bool = False
    bwrap: str = ""  # the bubblewrap probed (absolute path)
    userns_locked: bool = False  # learner code cannot make user namespaces (not as root)
    unlocked_because: str = ""  # why it can, for a grader that is not root

    def __post_init__(self):
        if self.isolated and not os.path.isabs(self.bwrap):
            raise ValueError(f"an isolated Support needs the bwrap probed, not {self.bwrap!r}")

    @property
    def bwrap_command(self) -> Bwrap:
        """How this machine's sandboxes are made."""
        return Bwrap(self.bwrap, self.userns, self.userns_locked, self.unlocked_because)

    def describe(self) -> str:
        if not self.isolated:
            return f"not isolated because {self.reason}"
        memory = f"memory cgroup {self.cgroup}" if self.cgroup else "memory measured over the tree"
        user = ("user namespace, none of the learner's own" if self.userns_locked else
                f"user namespace, learner code may make its own: {self.unlocked_because}"
                if self.unlocked_because else "user namespace" if self.userns else "uid 65534")
        processes = (f"pids cgroup {self.pids}" if self.pids else
                     "processes limited by RLIMIT_NPROC" if self.nproc else
                     "processes not limited: no pids cgroup")
        return f"isolated with bubblewrap ({user}, no network, {memory}, {processes})"


def _nproc_counts_per_namespace() -> bool:
    """Linux >= 5.14 counts RLIMIT_NPROC per user namespace (ucounts)."""
    release = os.uname().release.split(".")
    try:
        return (int(release[0]), int(release[1].split("-")[0])) >= (5, 14)
    except (IndexError, ValueError):
        return False


@functools.lru_cache(maxsize=1)
def support() -> Support:
    """Probe once per process: can a bubblewrap sandbox start on this machine?"""
    if sys.platform != "linux":
        return Support(False, f"bubblewrap needs Linux (this is {sys.platform})")
    if os.environ.get("CKPTLAB_NO_SANDBOX"):
        return Support(False, "CKPTLAB_NO_SANDBOX is set")
    path = shutil.which("bwrap")
    if path is None:
        return Support(False, "bubblewrap is not installed (Debian/Ubuntu: apt-get install "
                       "bubblewrap)")
    userns = os.geteuid() != 0
    found, problem = probe(os.path.realpath(path), userns)
    if found is None:
        return Support(False, f"bubblewrap cannot start a sandbox here ({problem})")
    return Support(True, "", userns, cgroup_kind("memory"), cgroup_kind("pids"),
                   nproc=userns and _nproc_counts_per_namespace(), bwrap=found.path,
                   userns_locked=found.userns_locked, unlocked_because=found.unlocked_because)


class Sandbox:
    """Namespaces, scratch folder, cgroup and limits of one check (a context manager).

    `scratch` is the host folder the sandbox sees as INSIDE: `submission/` (read-only
    inside) and `work/` (the only writable place, the learner's cwd). `vault` is a host
    folder the sandbox never sees, where the grader keeps each stage's evidence.
    """

    def __init__(self, limits: Limits, isolated: bool = True):
        self.limits = limits
        self.support = support() if isolated else Support(False, "isolation was not asked for")
        self._tmp = scratch_folder("check")  # a killed grader's is swept by the next one
        self.scratch = prepare_scratch(Path(self._tmp.name), for_sandbox_uid=(
            self.isolated and not self.support.userns))
        self._vault = scratch_folder("evidence")  # swept like the scratch folder
        self.vault = Path(self._vault.name)
        self.holder: subprocess.Popen | None = None
        self.holder_pid = 0  # the holder's pid as the host sees it (joined by the runner)
        self.namespace = ""
        self.cgroup: CheckCgroup | None = None  # memory
        self.pids_cgroup: CheckCgroup | None = None  # (in v2 the memory cgroup if it can)
        self.peak_mb = 0.0
        self._init_fd = -1  # pidfd of the namespace's init
        self._joined: dict[int, int] = {}  # pid -> pidfd of processes that joined from outside
        self.idle: set[int] = set()  # waiting, not the learner's (leave_out)
        self._idle_fds: list[int] = []  # their pidfds

    @property
    def isolated(self) -> bool:
        return self.support.isolated

    @property
    def _cgroups(self) -> list[CheckCgroup]:
        return [group for group in dict.fromkeys((self.cgroup, self.pids_cgroup)) if group]

    def __enter__(self) -> Sandbox:
        memory, pids, processes = self.support.cgroup, self.support.pids, self.limits.processes
        if memory:
            limit = self.limits.memory_mb << 20
            settings = {"memory.max": limit} if memory == "v2" else {
                "memory.limit_in_bytes": limit, "memory.memsw.limit_in_bytes": limit}
            with contextlib.suppress(OSError):
                self.cgroup = CheckCgroup("memory", memory, settings)
        # in v2 a process is in one cgroup: the pids limit goes into the memory cgroup,
        # or is not had (a second cgroup would take the supervisor out of the first)
        in_memory_v2 = self.cgroup is not None and self.cgroup.kind == "v2"
        if in_memory_v2 and pids == "v2" and self.cgroup.set("pids.max", processes):
            self.pids_cgroup = self.cgroup
        elif pids and not (in_memory_v2 and pids == "v2"):
            with contextlib.suppress(OSError):
                self.pids_cgroup = CheckCgroup("pids", pids, {"pids.max": processes})
        if self.isolated:
            self._start_holder()
        return self

    def _start_holder(self) -> None:
        # (learner processes cannot signal the placeholder: they cannot end the sandbox)
        self.holder = subprocess.Popen(self.support.bwrap_command.holder(self.scratch),
                                       stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       env={"PATH": "/usr/bin:/bin"})
        ready = self.holder.stdout.readline() == b"ready\n"  # mounts are done
        children = Path(f"/proc/{self.holder.pid}/task/{self.holder.pid}/children")
        with contextlib.suppress(OSError, ValueError, IndexError):
            self.holder_pid = int(children.read_text().split()[0])  # the namespace's init
        if not ready or not self.holder_pid:
            self.holder.kill()
            problem = self.holder.communicate(timeout=10)[1].decode(errors="replace").strip()
            self.holder = None
            self.close()
            raise OSError(f"bubblewrap did not start a sandbox: {problem}")
        self.holder.stdout.close()
        self.holder.stderr.close()
        self.namespace = pid_namespace(self.holder_pid)
        self._init_fd = pidfd(self.holder_pid)

    def joined(self, pid: int) -> None:
        """A process that entered the sandbox from outside (the check's supervisor): it is
        watched and killed through a pidfd, so a recycled pid is never signalled."""
        fd = pidfd(pid)
        if fd >= 0:
            self._joined[pid] = fd

    def join_request(self) -> dict:
        """What the warm runner needs to enter this sandbox."""
        return {"holder": self.holder_pid if self.isolated else 0,
                "userns": self.support.userns, "uid": SANDBOX_UID,
                "cgroup_procs": [group.procs for group in self._cgroups],
                # where no pids cgroup holds the count: RLIMIT_NPROC (0: none)
                "nproc": self.limits.processes if self.nproc_limited else 0,
                # the limit the supervisor tells a refused fork by (0: none here)
                "processes": self.limits.processes if self.processes_limited else 0,
                "root": INSIDE if self.isolated else str(self.scratch),
                "fsize": self.limits.disk_mb << 20}

    def describe(self) -> str:
        """How this check is isolated: with the cgroups it got, not those it could have."""
        if not self.isolated:
            return self.support.describe()
        return replace(
            self.support, cgroup=self.cgroup.kind if self.cgroup else "",
            pids=self.pids_cgroup.kind if self.pids_cgroup else "",
            nproc=self.nproc_limited).describe()

    @property
    def processes_limited(self) -> bool:
        return self.pids_cgroup is not None or self.nproc_limited

    @property
    def nproc_limited(self) -> bool:
        return self.isolated and self.pids_cgroup is None and self.support.nproc

    def members(self) -> list[int]:
        """Every live process of this check, as host pids."""
        pids = {pid for group in self._cgroups for pid in group.pids()}
        if self.namespace:
            for entry in os.scandir("/proc"):
                if entry.name.isdigit() and pid_namespace(int(entry.name)) == self.namespace:
                    pids.add(int(entry.name))
        pids |= {pid for pid, fd in self._joined.items() if running(fd)}
        pids.discard(os.getpid())
        if self.holder is not None:
            pids.discard(self.holder.pid)  # bwrap itself, outside the namespace
        return sorted(pids)

    def learner_pids(self) -> list[int]:
        return [p for p in self.members() if p not in (self.holder_pid,)]

    def leave_out(self, idle: set[int], extra_mb: float, extra_tasks: int) -> bool:
        """Processes of the check that wait without running (a spare's later stages,
        checker/spares.py) are not the learner's: the memory and pids cgroups' limits grow
        by their memory and tasks, and the tree measured without a cgroup leaves them
        out. Called again with nothing before they run, or when one of them ended
        (idle_ended): the limits are whole again. False if they could not be made whole
        (cgroup v1 refuses a memory limit below what is used): the check is over its
        limit."""
        for fd in self._idle_fds:
            os.close(fd)
        self._idle_fds = [fd for fd in (pidfd(pid) for pid in idle) if fd >= 0]
        self.idle = set(idle)
        whole = True
        if self.cgroup is not None:
            limit = (self.limits.memory_mb << 20) + int(extra_mb * (1 << 20))
            # v1: memsw (memory and swap) may never be below the memory limit
            names = ["memory.max"] if self.cgroup.kind == "v2" else [
                "memory.memsw.limit_in_bytes", "memory.limit_in_bytes"]
            for name in names if extra_mb else names[::-1]:
                whole = self.cgroup.set(name, limit) and whole
        if self.pids_cgroup is not None:
            whole = self.pids_cgroup.set("pids.max", self.limits.processes + extra_tasks) \
                and whole
        return whole or bool(extra_mb or extra_tasks)

    def idle_ended(self) -> bool:
        """One of the waiting processes left out of the limits has ended (learner code
        may kill them): the room they held is not the learner's."""
        return bool(self._idle_fds) and not all(running(fd) for fd in self._idle_fds)

    def memory_mb(self) -> float:
        """Private memory of every process of the check (a walk of each one's mappings:
        tens of milliseconds for a TensorFlow process, so polled only without a cgroup)."""
        idle = self.idle if self._idle_fds and all(running(fd) for fd in self._idle_fds) \
            else set()  # (a pid of one that ended may be anybody's now)
        used = sum(private_mb(pid) for pid in self.members() if pid not in idle)
        self.peak_mb = max(self.peak_mb, used)
        return used

    @property
    def memory_poll_seconds(self) -> float:
        """How often over_memory() is worth asking: a cgroup's counters cost nothing to
        read; measuring the tree costs about as much CPU as the check when done often."""
        return 0.0 if self.cgroup else MEMORY_POLL_SECONDS

    def over_memory(self) -> bool:
        """The tree went over its memory limit. With a cgroup the kernel holds the limit
        itself (its OOM killer ends the process that crossed it) and this reads whether it
        did; without one, the tree's private memory is measured."""
        if self.cgroup:
            self.peak_mb = max(self.peak_mb, self.cgroup.peak_mb())
            return self.cgroup.oom_killed()
        return self.memory_mb() > self.limits.memory_mb

    def processes_refused(self) -> bool:
        """The check's processes and threads reached its limit (Limits.processes): the
        kernel refused one more (read from the pids cgroup; False without one)."""
        return self.pids_cgroup is not None and self.pids_cgroup.processes_refused()

    def disk_mb(self) -> float:
        total, count = 0, 0
        for root, _dirs, files in os.walk(self.scratch / "work"):
            for name in files:
                count += 1
                with contextlib.suppress(OSError):
                    total += os.lstat(os.path.join(root, name)).st_blocks * 512
            if count > 20000:
                return float("inf")  # a flood of tiny files counts as a full disk
        return total / (1 << 20)

    def kill(self) -> None:
        """Kill every process of the check: the namespace's init first (the kernel then
        kills everything left in the pid namespace), then by cgroup and by pid."""
        for fd in (self._init_fd, *self._joined.values()):
            kill_pidfd(fd)
        for pid in self.members():
            if pid <= 1 or pid == os.getpid() or pid in self._joined:
                continue  # never this process, never a process group; joined: by pidfd
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)  # found just now in the namespace or cgroup
        for group in self._cgroups:
            group.kill_all()

    def end_strays(self, expected: set[int], wait: float = 0.5) -> tuple[int, list[int]]:
        """Between two stages, where the stage and all it started must be dead: the live
        processes beyond `expected` (the sandbox's own) and the joined supervisor are
        killed by pid for up to `wait` s. Returns (how many were found, those left: they
        dodge a kill by pid, e.g. by forking anew again and again)."""
        deadline, found = time.monotonic() + wait, None
        while True:
            left = [pid for pid in self.members()
                    if pid not in expected and pid not in self._joined and not zombie(pid)]
            found = len(left) if found is None else found
            if not left or time.monotonic() > deadline:
                return found, left
            for pid in left:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.01)

    def survivors(self, wait: float = 15.0) -> list[int]:
        """Kill, then wait until no process of the check is left; returns those that are.
        (At once when the check left none; hundreds of forks of a TensorFlow process
        dying at a memory cgroup's limit took 4-6 s to end on two busy cores.)"""
        deadline = time.monotonic() + wait
        while True:
            self.kill()
            left = self.members()
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(0.005)

    def close(self) -> None:
        self.survivors()
        if self.holder is not None:
            with contextlib.suppress(OSError):
                self.holder.stdin.close()
            with contextlib.suppress(OSError):
                self.holder.kill()
            self.holder.wait()
        for group in self._cgroups:
            group.remove()
        for fd in (self._init_fd, *self._joined.values(), *self._idle_fds):
            if fd >= 0:
                os.close(fd)
        self._init_fd, self._joined, self._idle_fds = -1, {}, []
        self._tmp.cleanup()
        self._vault.cleanup()

    def __exit__(self, *exc) -> None:
        self.close()
