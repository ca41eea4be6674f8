"""The warm runner: TensorFlow imported once, one forked process per check and per stage.

    python -m ckptlab.checker.runners.zygote TRACK FD GRADER_PID

The grader (ckptlab.checker.warm) starts this process with a minimal environment and talks
to it over the unix socket FD. It imports TensorFlow and the track's runner once, runs no
learner code itself, lives as long as the grader process (not the grader's thread that
started it: PR_SET_PDEATHSIG would follow that thread) and for each request forks a
*supervisor* that

1. puts itself into the check's memory and pids cgroups, joins the check's sandbox
   namespaces (made by ckptlab.checker.isolation), drops to uid 65534, no capabilities, no
   new privileges, RLIMIT_FSIZE (and RLIMIT_NPROC where no pids cgroup counts the check's
   processes), and makes itself non-dumpable;
2. keeps only three descriptors: fd 3, the results channel to the grader, fd 4, the
   output pipe, and fd 5, the grader's "go" between stages;
3. forks one *stage process* per stage (stages marked "alongside" at the same time as
   the one before them: a group, relayed and ended together). A stage process closes fd 3
   and the claims pipes of the stages beside it before any learner code runs, so learner
   code cannot reach the results channel and inherits no other stage's claims (stages
   beside each other share a uid and could still open or trace each other through /proc:
   both run the submission and hold nothing of training). A stage marked "waits_for"
   another of its group gets the read end of a pipe whose only write end the supervisor
   holds and closes when that other stage has exited; the supervisor itself has
   no pid inside the sandbox's pid namespace, so learner code cannot signal or trace it.
   Whatever a stage process says arrives as an untrusted claim, wrapped by the supervisor
   with the stage's name; the exit status the supervisor saw is sent the moment the
   process ended ("ended", so a check stopped while another stage of the group still
   runs tells which had ended) and again when the group ended ("exit"). When the
   grader says the check has one CPU (`one_at_a_time`), a group's stages run one after
   the other instead (a stage waited for first: no pipe then), what each left killed
   before the next starts;
4. after each group, kills every process it left and waits for the grader's "go" (fd 5)
   after each of its stages' exits: meanwhile the grader takes the stage's evidence out
   of the sandbox (warm._between), so the next group can neither read nor rewrite it.

A fork the supervisor makes after learner code ran that the kernel refuses (EAGAIN)
while the sandbox holds at least 90% of the check's process limit (what learner code
started used it up) ends the check as stopped at that limit (message "stopped":
"processes"), not as the checker's failure; at any other count the refusal is the
machine's (pid_max, an enclosing limit) and an error of the checker's.

A request with "prepare" makes a spare (ckptlab.checker.spares): the supervisor joins the
sandbox and forks every stage's process before any submission exists; each warms up on
ckptlab's own model (runners/warmup.py) and waits, not dumpable, on a socket only the
supervisor holds, and the supervisor says {"prepared": {stage: pid}}. The submission's
name then comes as one JSON line on fd 5 (the time limit starts there), and each group's
prepared processes get it when the group's turn comes: as forked ones would, but without
TensorFlow's first-use costs. Until then both reapers spare them; one that an earlier
group's learner code stopped is continued, and each is asked whether its limits and
every thread's priority, CPUs and policy are as they were and no signal waits for it:
if one ended, does not answer or was changed, its group is forked afresh.

A supervisor does not depend on this process: a check in flight finishes even if the warm
runner dies meanwhile (the grader starts a new one for the next check). It ends its check
when the grader stops reading the results channel.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import os
import resource
import select
import shutil
import signal
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CLAIMS_LIMIT", "main"]

CLAIMS_LIMIT = 16 << 20  # bytes a stage may report
DRAIN_READS = 64  # reads of a stage's claims pipe after it ended, at most
PARENT_POLL_SECONDS = 0.5
_PR_SET_DUMPABLE, _PR_SET_NO_NEW_PRIVS = 4, 38
_NAMESPACES = ("ipc", "uts", "net", "pid", "mnt")
_NS_GET_USERNS, _NS_GET_PARENT = 0xB701, 0xB702  # ioctls: owner / parent user namespace
_libc = ctypes.CDLL(None, use_errno=True)


def _prctl(option: int, value: int) -> None:
    if _libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}) failed")


def _warm(track: str) -> None:
    """Import what every check of this track needs, without running any TensorFlow op
    (ops start thread pools, and forking a process with busy pools is unsafe)."""
    from ckptlab.checker.runners import tracks as runner_tracks
    from ckptlab.quiet import import_tensorflow

    tf = import_tensorflow()  # TensorFlow's chatter is not the learner's output (no device scan)
    runner_tracks.prepare(track)  # the one set-up of a check process
    # the Keras API tree every stage's seeded() reaches through tf.keras (a lazy import of
    # about 15 ms and 70 modules per stage process otherwise; it starts no thread)
    tf.keras.utils.set_random_seed  # noqa: B018
    if track == "estimator":
        import ckptlab.checker.runners.estimator
        import ckptlab.trace.modes
    else:
        import ckptlab.checker.runners.tf2
    import ckptlab.checker.runners.dataflow  # noqa: F401


def _user_namespaces(holder: int) -> list[int]:
    """The sandbox's user namespace and those between it and ours, outermost first: an
    unprivileged bwrap nests two (the outer maps our uid, the inner the sandbox's uid), and
    a process may only join a user namespace whose parent it is in."""
    ours = os.stat("/proc/self/ns/user").st_ino
    chain = [os.open(f"/proc/{holder}/ns/user", os.O_RDONLY)]
    while os.fstat(chain[-1]).st_ino != ours:
        chain.append(fcntl.ioctl(chain[-1], _NS_GET_PARENT))
    os.close(chain.pop())  # our own
    return chain[::-1]


def _owner(handle: int) -> int:
    """The inode of the user namespace that owns a namespace."""
    owner = fcntl.ioctl(handle, _NS_GET_USERNS)
    try:
        return os.fstat(owner).st_ino
    finally:
        os.close(owner)


def _setns(handle: int) -> None:
    try:
        if _libc.setns(handle, 0) != 0:
            raise OSError(ctypes.get_errno(), "setns failed")
    finally:
        os.close(handle)


def _enter_namespaces(holder: int, userns: bool) -> None:
    """Join the holder's namespaces. Each is joined from the user namespace that owns it
    (only there does this process hold CAP_SYS_ADMIN over it), outermost first."""
    others = [os.open(f"/proc/{holder}/ns/{name}", os.O_RDONLY) for name in _NAMESPACES]
    if not userns:
        for handle in others:
            _setns(handle)
        return
    waiting = dict(zip(others, (_owner(handle) for handle in others), strict=True))
    levels = _user_namespaces(holder)
    for level in [-1, *levels]:  # -1: the user namespace this process is in now
        inode = os.stat("/proc/self/ns/user").st_ino if level < 0 else os.fstat(level).st_ino
        if level >= 0:
            _setns(level)
        for handle in [h for h, owner in waiting.items() if owner == inode]:
            _setns(handle)
            del waiting[handle]
    if waiting:
        raise OSError("a namespace of the sandbox is owned by no user namespace on the way")


def _join(request: dict) -> None:
    """Enter the sandbox (namespaces of its holder process) and give up every privilege."""
    for procs in request.get("cgroup_procs") or []:  # memory, pids (one file in v2)
        Path(procs).write_text(str(os.getpid()))
    if request.get("nproc"):  # no pids cgroup: processes of the sandbox's uid, at most
        _, hard = resource.getrlimit(resource.RLIMIT_NPROC)  # (never raised: not allowed)
        limit = request["nproc"] if hard == resource.RLIM_INFINITY else min(
            request["nproc"], hard)
        resource.setrlimit(resource.RLIMIT_NPROC, (limit, limit))
    holder, uid = request.get("holder"), request["uid"]
    if holder:
        _enter_namespaces(holder, bool(request.get("userns")))
        if not request.get("userns"):
            os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    resource.setrlimit(resource.RLIMIT_FSIZE, (request["fsize"], request["fsize"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _prctl(_PR_SET_NO_NEW_PRIVS, 1)
    _prctl(_PR_SET_DUMPABLE, 0)
    work = f"{request['root']}/work"
    os.chdir(work)
    os.environ.update({"HOME": work, "TMPDIR": work})


def _keep_only(*fds: int) -> None:
    """fd 3 = results, fd 4 = output, fd 5 = the grader's go; every other one is closed."""
    moved = [fcntl.fcntl(fd, fcntl.F_DUPFD, 100) for fd in fds]
    for number, fd in enumerate(moved):
        os.dup2(fd, 3 + number)
    os.closerange(3 + len(moved), 1 << 16)


def _load(request: dict):
    path = request["path"]
    if request["kind"] == "pickle":
        import cloudpickle

        from ckptlab.learner_code import ORIGINS_KEY, restore_origins

        with open(path, "rb") as handle:
            functions = cloudpickle.load(handle)
        origins = functions.pop(ORIGINS_KEY, {})
        restore_origins(functions.values(), origins)  # 'cell [5], line 3', not <dynamic-code>
        return functions
    import runpy

    return runpy.run_path(path, run_name="__submission__")


def _stage_function(stage: dict):
    """The callable of a stage: "module:function", or the whole track by default."""
    if not stage.get("call"):
        from ckptlab.checker.runners.tracks import run_track

        return lambda track, functions, workdir, files, emit, **_: run_track(
            track, functions, workdir, files, emit)
    from importlib import import_module

    module, _, name = stage["call"].partition(":")
    return getattr(import_module(module), name)


def _stage(request: dict, stage: dict, claims: int) -> None:
    """A stage process: everything here may be subverted by learner code.

    It loads the submission afresh (a process forked from the clean warm state), calls the
    stage's function `f(track, functions, workdir, learner_files, emit, **args) -> obs`
    and reports each emitted observation and the result (stage "finished") as claims.
    """
    from ckptlab.checker.runners.stages import Listening, Run

    out = os.fdopen(claims, "w", encoding="utf-8")

    def emit(name: str, obs: dict) -> None:
        out.write(json.dumps({"stage": name, "obs": obs}, default=str) + "\n")
        out.flush()

    track, path = request["track"], request["path"]
    learner_files = set(request.get("learner_files") or [path])
    function = _stage_function(stage)  # resolved before any learner code runs
    emit("started", {"track": track})
    loader = Run(track, learner_files, emit)
    with Listening(loader):  # warnings at import (e.g. an Estimator without model_dir)
        ok, namespace = loader.call("load", _load, request)
    if ok:
        from ckptlab.checker.runners.tracks import seeded

        functions = namespace if request["kind"] == "file" else dict(namespace)
        with seeded():  # the one seed of a check: same weights, same evidence everywhere
            obs = function(track, functions, Path(request["root"]) / "work", learner_files,
                           emit, **(stage.get("args") or {}))
        obs["log"] = list(dict.fromkeys([*loader.obs["log"], *obs.get("log", [])]))
        emit("finished", obs)
    out.close()


def _sandbox_pids() -> set[int]:
    """The live processes of the sandbox's pid namespace, as this process sees /proc
    (after joining its mount namespace); zombies are left to the namespace's init."""
    found = set()
    for name in os.listdir("/proc"):
        if name.isdigit():
            with contextlib.suppress(OSError), open(
                    f"/proc/{name}/stat", encoding="ascii", errors="replace") as stat:
                if stat.read().rpartition(")")[2].split()[0] != "Z":
                    found.add(int(name))
    return found


def _reap_leftovers(request: dict, stage_pids: list[int], sandbox: set[int]) -> None:
    """Kill every learner process a group of stages left (before the next group runs): a
    process forked into the sandbox's pid namespace kills every process there but the
    sandbox's own (`sandbox`: bwrap's init and the holder, there before any stage ran;
    under a user namespace they share the learner's uid, and kill(-1) ended the sandbox
    with them); unisolated, only the stages' process groups. The stage processes are
    waited for already: when this process sees no other live process in the namespace's
    /proc, none is left that could start one, and no killer is forked (a fork of this
    process costs 10-25 ms)."""
    if not request.get("holder"):
        for stage_pid in stage_pids:
            with contextlib.suppress(OSError):
                os.killpg(stage_pid, signal.SIGKILL)
        return
    if not _sandbox_pids() - sandbox:
        return
    pid = _fork(request, after_learner=True)
    if pid == 0:
        spare = sandbox | {os.getpid()}
        for _ in range(200):  # a learner process may fork while it is being killed
            left = _sandbox_pids() - spare
            if not left:
                break
            for other in left:
                with contextlib.suppress(OSError):
                    os.kill(other, signal.SIGKILL)
            time.sleep(0.005)
        os._exit(0)
    os.waitpid(pid, 0)


class _GraderGone(Exception):
    """Nobody reads the results channel any more: the check is over."""


class _ProcessLimit(Exception):
    """The kernel refused this supervisor a fork after learner code ran, and the
    sandbox's processes and threads hold (nearly) the check's whole limit: what that code
    started used it up (pids cgroup or RLIMIT_NPROC)."""


def _fork(request: dict, after_learner: bool) -> int:
    """os.fork() in the supervisor. A refusal (EAGAIN) is _ProcessLimit only after
    learner code ran and with the sandbox at its limit (counted here, in its /proc);
    otherwise it is the machine's (pid_max, an enclosing limit) and raised as such."""
    try:
        return os.fork()
    except BlockingIOError as error:
        limit = request.get("processes") or 0
        soft, _ = resource.getrlimit(resource.RLIMIT_NPROC)  # (what _join could set)
        if soft != resource.RLIM_INFINITY:
            limit = min(limit, soft)
        if after_learner and limit and request.get("holder") and _sandbox_tasks() >= 0.9 * limit:
            raise _ProcessLimit from error
        raise


def _sandbox_tasks() -> int:
    """Processes and threads of the sandbox's pid namespace, as its /proc lists them
    (zombies too: the pids cgroup and RLIMIT_NPROC count them until reaped)."""
    count = 0
    for pid in (name for name in os.listdir("/proc") if name.isdigit()):
        with contextlib.suppress(OSError):
            count += len(os.listdir(f"/proc/{pid}/task"))
    return count


def _grader_gone(watch: select.poll) -> bool:
    """The results pipe's read end is closed (a pipe's write end then polls POLLERR)."""
    return bool(watch.poll(0))


def _relay(running: dict[str, tuple[int, int]], exited: Callable[[str], None]
           ) -> dict[str, int]:
    """Forward the claims of stages running at once ({name: (pid, claims fd)}) to the
    grader until every one has exited and its pipe is drained (`exited(name)` at each
    exit); returns their exit statuses."""
    received = dict.fromkeys(running, 0)
    buffers = dict.fromkeys(running, b"")
    statuses: dict[str, int] = {}
    by_fd = {fd: name for name, (_, fd) in running.items()}
    for fd in by_fd:
        os.set_blocking(fd, False)
    results = select.poll()
    results.register(3, 0)  # only POLLERR/POLLHUP: the grader closed its end
    exits = {name: _pidfd(pid) for name, (pid, _) in running.items()}  # readable at exit
    try:
        while True:
            if _grader_gone(results):
                for pid, _ in running.values():
                    with contextlib.suppress(OSError):
                        os.killpg(pid, signal.SIGKILL)
                raise _GraderGone
            # a stage's exit wakes the select at once (without a pidfd: waitpid every 5 ms)
            waiting = [exits[stage] for stage in running if stage not in statuses]
            timeout = 0.05 if by_fd or min(waiting, default=-1) >= 0 else 0.005
            ready, _, _ = select.select([*by_fd, *(fd for fd in waiting if fd >= 0)], [], [],
                                        timeout)
            for fd in ready:
                if fd in by_fd:
                    _forward(by_fd, fd, running, received, buffers)
            for stage, (pid, _) in running.items():
                if stage not in statuses:
                    done, raw = os.waitpid(pid, os.WNOHANG)
                    if done:
                        statuses[stage] = os.waitstatus_to_exitcode(raw)
                        _send({"stage": stage, "ended": statuses[stage]})
                        exited(stage)
            if len(statuses) == len(running):
                # every stage ended: what it wrote last (maybe after the select) is still
                # read (a bounded drain: a process it left may hold the pipe and write on)
                for fd in list(by_fd):
                    for _ in range(DRAIN_READS):
                        if fd not in by_fd or not _forward(by_fd, fd, running, received,
                                                           buffers):
                            break
                return statuses
    finally:
        for fd in exits.values():
            if fd >= 0:
                os.close(fd)


def _pidfd(pid: int) -> int:
    """A descriptor that turns readable when the child `pid` exits (-1 where none)."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return -1


def _forward(by_fd: dict[int, str], fd: int, running: dict[str, tuple[int, int]],
             received: dict[str, int], buffers: dict[str, bytes]) -> bool:
    """Relay what a stage's claims pipe holds, line by line; a stage over CLAIMS_LIMIT
    is killed. False once nothing more is waiting (EAGAIN, or EOF: the fd is dropped)."""
    stage = by_fd[fd]
    try:
        chunk = os.read(fd, 1 << 16)
    except BlockingIOError:
        return False
    if not chunk:  # every writer closed it: nothing more will come
        del by_fd[fd]
        return False
    received[stage] += len(chunk)
    buffers[stage] += chunk
    *lines, buffers[stage] = buffers[stage].split(b"\n")
    for line in lines:
        _send({"stage": stage, "claim": line.decode("utf-8", "replace")})
    if received[stage] > CLAIMS_LIMIT:
        with contextlib.suppress(OSError):  # (it may have ended and been reaped)
            os.kill(running[stage][0], signal.SIGKILL)
        _send({"stage": stage, "overflow": received[stage]})
    return True


def _wait_for_grader(results: select.poll) -> None:
    """Block until the grader has taken the stage's evidence (one byte on fd 5)."""
    while True:
        if _grader_gone(results):
            raise _GraderGone
        ready, _, _ = select.select([5], [], [], 0.05)
        if ready:
            if not os.read(5, 1):
                raise _GraderGone
            return


def _send(message: dict) -> None:
    data = (json.dumps(message) + "\n").encode()
    while data:
        data = data[os.write(3, data):]


def _stage_process(request: dict, stage: dict, write: int, others: list[int]) -> None:
    """The forked stage process: gives up what learner code must not reach (`others`:
    the claims pipes of the stages beside it), then runs."""
    code = 1
    try:
        for fd in others:
            os.close(fd)
        os.setpgid(0, 0)  # nor the supervisor itself
        os.close(3)  # the results channel: never in a process that runs learner code
        with contextlib.suppress(OSError):
            os.close(5)  # nor the grader's go
        os.dup2(4, 1)
        os.dup2(4, 2)
        os.close(4)
        # readable /proc for the grader: a grader that is not root has the learner's host
        # uid and measures the tree's memory there (only the supervisor, outside the pid
        # namespace, stays undumpable). Only now: a stage beside it, already running
        # learner code, could otherwise take the channels above through /proc or ptrace
        _prctl(_PR_SET_DUMPABLE, 1)
        _stage(request, stage, write)
        code = 0
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)


def _links(group: list[dict]) -> dict[tuple[str, str], tuple[int, int]]:
    """{(waiting stage, stage it waits for): (read end, write end)}: a pipe for each stage
    with "waits_for" a stage of its group. Only this supervisor holds the write end, and
    closes it when the stage waited for has exited: no learner process (nor anything it
    forks) can end the wait early or hold it open."""
    names = {str(stage["name"]) for stage in group}
    return {(str(stage["name"]), str(stage["waits_for"])): os.pipe() for stage in group
            if stage.get("waits_for") in names}


def _kept_links(stage: dict, links: dict[tuple[str, str], tuple[int, int]]) -> dict[str, int]:
    """The link end a stage process keeps, as its function's argument `waiting_fd`."""
    waits = [read for (waiting, _), (read, _) in links.items() if waiting == str(stage["name"])]
    return {"waiting_fd": waits[0]} if waits else {}


def _end_waits(links: dict[tuple[str, str], tuple[int, int]], ended: str) -> None:
    """The stage `ended` has exited: the stages waiting for it see end of file (each
    write end is closed once, then dropped from `links`)."""
    for key in [key for key in links if key[1] == ended]:
        with contextlib.suppress(OSError):
            os.close(links.pop(key)[1])


def _supervise(request: dict, fds: list[int]) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    # a session and process group of its own: kill(0, ...) in a learner process must not
    # reach the other checks forked from the same warm runner (same uid 65534)
    os.setsid()
    _keep_only(*fds)
    _join(request)
    sandbox = _sandbox_pids() if request.get("holder") else set()  # before any stage
    results = select.poll()
    results.register(3, 0)
    from ckptlab.checker.stage_names import ALL, in_groups, in_turn

    groups = in_groups(request.get("stages") or [{"name": ALL}])
    prepared = _Prepared({}, {})
    if request.get("prepare"):
        prepared = _prepare(request, groups, results)
        request = {**request, **_receive_submission(prepared.processes, results)}
    started: list[int] = []  # every stage process forked so far: learner code ran after
    for number, group in enumerate(groups):
        # a group's stages run at the same time, each in its process; with one CPU (the
        # grader says so) one after the other, each alone, still as one group
        batches = [[stage] for stage in in_turn(group)] if request.get("one_at_a_time") \
            else [group]
        statuses, pids = {}, []
        # prepared processes of later groups are spared until their turn
        spared = sandbox | {prepared.processes[str(stage["name"])].inside
                            for later in groups[number + 1:] for stage in later
                            if str(stage["name"]) in prepared.processes}
        for batch in batches:
            statuses.update(_run_at_once(request, batch, pids, started, prepared))
            if len(batches) > 1:  # what a stage left ends before the next one starts
                _reap_leftovers(request, pids, spared)
        # nothing of this group runs any more
        _reap_leftovers(request, pids, spared)
        for name in [str(stage["name"]) for stage in group]:  # the stage list's order
            _send({"stage": name, "exit": statuses[name]})
            if request.get("handshake"):
                _wait_for_grader(results)
    _send({"done": True})


def _run_at_once(request: dict, batch: list[dict], pids: list[int], started: list[int],
                 prepared: _Prepared) -> dict[str, int]:
    """Start every stage of `batch` at once (forked now, or `prepared` ones) and relay
    their claims until all have exited (their pids appended to `pids` and to `started`,
    every stage process of the check so far); their exit statuses."""
    if all(str(stage["name"]) in prepared.processes for stage in batch):
        if _still_prepared(batch, prepared):
            return _run_prepared(request, batch, pids, started, prepared)
        _drop_prepared(batch, prepared)  # learner code before touched one: fresh forks
        _send({"afresh": [str(stage["name"]) for stage in batch]})
    running = {}
    links = _links(batch)
    for stage in batch:
        read, write = os.pipe()
        kept = _kept_links(stage, links)
        pid = _fork(request, after_learner=bool(started))
        if pid == 0:  # no stage reads another's claims (nor a waiting one's channels)
            dropped = [fd for ends in links.values() for fd in ends if fd not in kept.values()]
            _stage_process(request, {**stage, "args": {**(stage.get("args") or {}), **kept}},
                           write, [read, *(fd for _, fd in running.values()), *dropped,
                                   *prepared.descriptors()])
        with contextlib.suppress(OSError):
            os.setpgid(pid, pid)  # also here: the group exists before any kill of it
        os.close(write)
        running[str(stage["name"])] = (pid, read)
        pids.append(pid)
        started.append(pid)
    for read, _ in links.values():
        os.close(read)  # (the waiting stage's process holds its own)
    return _relay_batch(running, links)


def _relay_batch(running: dict[str, tuple[int, int]],
                 links: dict[tuple[str, str], tuple[int, int]]) -> dict[str, int]:
    """Relay a started batch's claims to its end, each wait on a stage ending with it;
    their exit statuses."""
    try:
        statuses = _relay(running, lambda name, ends=links: _end_waits(ends, name))
    finally:
        for name in running:
            _end_waits(links, name)
    for _, read in running.values():
        os.close(read)
    return statuses


@dataclass
class _Ready:
    """A prepared stage process, warmed and waiting for the submission."""

    pid: int  # as this supervisor sees it (the host's pid namespace)
    inside: int  # in the sandbox's pid namespace (what _sandbox_pids lists)
    claims: int  # read end of its claims pipe
    control: socket.socket  # the submission goes here; nothing is read from it after
    held: list[float] = field(default_factory=list)  # [private MB, tasks] when warm


@dataclass
class _Prepared:
    """A spare sandbox's prepared processes, and the write ends of the pipes some of
    them wait on (closed when the stage waited for has exited, as for forked ones)."""

    processes: dict[str, _Ready]
    links: dict[tuple[str, str], tuple[int, int]]

    def descriptors(self) -> list[int]:
        """What this supervisor holds of them: no process it forks may keep any."""
        return [fd for each in self.processes.values()
                for fd in (each.claims, each.control.fileno())] + [
            write for _, write in self.links.values()]


def _close_all_but(keep: set[int]) -> None:
    """Close every descriptor from 3 up but `keep`."""
    low = 3
    for fd in sorted(fd for fd in keep if fd >= 3):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 1 << 16)


def _prepared_process(request: dict, stage: dict, claims: int, control: socket.socket,
                      link: int, first: str) -> None:
    """A spare sandbox's stage process: keeps only its own ends (claims, control, the
    wait it may have, the output pipe), warms up on ckptlab's model with its output
    discarded, says so, and waits. Only once the submission arrived does it become
    dumpable (before, learner code of an earlier group could read its descriptors through
    /proc) and run the stage as a freshly forked one would."""
    code = 1
    try:
        _close_all_but({4, claims, control.fileno(), *([link] if link >= 0 else [])})
        os.setpgid(0, 0)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.close(null)
        from ckptlab.checker.runners.warmup import warm_up

        function = _stage_function(stage)
        warm_up(request["track"], stage, function, first)
        state = _own_state()
        from ckptlab.checker.procfs import private_mb

        held = f"{private_mb(os.getpid()):.1f} {len(os.listdir('/proc/self/task'))}"
        control.sendall(f"w{os.getpid()} {held}".encode())  # (it reads its own /proc)
        message = control.recv(1 << 20)
        while message == ASK:  # untouched while it waited? (limits, threads, signals)
            control.sendall(UNTOUCHED if _own_state() == state and not _signals_pending()
                            else TOUCHED)
            message = control.recv(1 << 20)
        if not message:
            code = 0
            return  # the spare was dropped
        submission = json.loads(message)
        control.close()
        os.dup2(4, 1)
        os.dup2(4, 2)
        os.close(4)
        _prctl(_PR_SET_DUMPABLE, 1)
        args = {**(stage.get("args") or {}), **({"waiting_fd": link} if link >= 0 else {})}
        _stage({**request, **submission}, {**stage, "args": args}, claims)
        code = 0
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)


PREPARE_SECONDS = 120.0  # the warm-up of one spare, at most
ASK_SECONDS = 10.0  # a prepared process's answer, at most (it answers at once)
ASK, UNTOUCHED, TOUCHED = b"?", b"=", b"!"
_RLIMITS = sorted(getattr(resource, name) for name in dir(resource) if name.startswith("RLIMIT_"))


def _own_state() -> tuple:
    """What a process of the same uid may change in another without being able to trace
    it: its resource limits, and each thread's priority, CPU affinity and scheduling
    policy (the threads themselves: one ended is a change too)."""
    threads = []
    for tid in sorted(int(name) for name in os.listdir("/proc/self/task")):
        try:
            threads.append((tid, os.getpriority(os.PRIO_PROCESS, tid),
                            tuple(sorted(os.sched_getaffinity(tid))), os.sched_getscheduler(tid)))
        except OSError:
            threads.append((tid, None, (), None))
    return tuple(resource.getrlimit(limit) for limit in _RLIMITS), tuple(threads)


def _signals_pending() -> bool:
    """A signal waits for any thread of this process (sent while it was stopped, say)."""
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith(("SigPnd:", "ShdPnd:")) and int(line.split()[1], 16):
                        return True
        except (OSError, ValueError, IndexError):
            return True
    return False


def _prepare(request: dict, groups: list[list[dict]], results: select.poll) -> _Prepared:
    """Fork and warm a process for every stage of a spare sandbox (the track's FIRST
    alone, then the others from a copy of its folder), before any learner code: then
    tell the grader {"prepared": {stage: host pid}}. The pipes of stages that wait for
    another are made now (the waiting process keeps its read end)."""
    from ckptlab.checker.runners.warmup import FIRST, WARM_ROOT

    first = FIRST[request["track"]]
    stages = [stage for group in groups for stage in group]
    links: dict[tuple[str, str], tuple[int, int]] = {}
    for group in groups:
        links.update(_links(group))
    ready: dict[str, _Ready] = {}
    waves = [[s for s in stages if s["name"] == first], [s for s in stages if s["name"] != first]]
    for wave in waves:
        for stage in wave:
            read, write = os.pipe()
            mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            link = _kept_links(stage, links).get("waiting_fd", -1)
            pid = _fork(request, after_learner=False)
            if pid == 0:
                mine.close()
                _prepared_process(request, stage, write, theirs, link, first)
            theirs.close()
            os.close(write)
            ready[str(stage["name"])] = _Ready(pid, 0, read, mine)
        for name in [str(stage["name"]) for stage in wave]:
            ready[name].inside, ready[name].held = _warmed(ready[name], results)
    for read, _ in links.values():
        os.close(read)  # (each waiting process holds its own)
    shutil.rmtree(WARM_ROOT)
    _send({"prepared": {name: each.pid for name, each in ready.items()},
           "held": {name: each.held for name, each in ready.items()}})
    return _Prepared(ready, links)


def _warmed(each: _Ready, results: select.poll) -> tuple[int, list[float]]:
    """Wait for a prepared process's word that it is warm: its pid in the sandbox, and
    [its private memory in MB, its tasks] (it measures itself: a grader that is not root
    cannot read an undumpable process's memory)."""
    deadline = time.monotonic() + PREPARE_SECONDS
    while time.monotonic() < deadline:
        if _grader_gone(results):
            raise _GraderGone
        ready, _, _ = select.select([each.control], [], [], 0.5)
        if ready:
            words = each.control.recv(128).decode("ascii", "replace").split()
            with contextlib.suppress(ValueError, IndexError):
                if words[0].startswith("w"):
                    return int(words[0][1:]), [float(words[1]), int(words[2])]
            break
    raise OSError(f"a prepared stage process did not warm up: {_exit_of(each.pid)}")


def _exit_of(pid: int) -> str:
    done, raw = os.waitpid(pid, os.WNOHANG)
    return f"it ended with {os.waitstatus_to_exitcode(raw)}" if done else "no word from it"


def _receive_submission(ready: dict[str, _Ready], results: select.poll) -> dict:
    """Wait for the grader's submission (one JSON line on fd 5); every prepared process
    must still be alive (nothing but the machine could have ended one: no learner code
    ran yet), else the spare is spoiled and the grader checks afresh."""
    line = b""
    while not line.endswith(b"\n"):
        if _grader_gone(results):
            raise _GraderGone
        readable, _, _ = select.select([5], [], [], 1.0)
        if readable:
            chunk = os.read(5, 1 << 16)
            if not chunk:
                raise _GraderGone
            line += chunk
    gone = [name for name, each in ready.items() if os.waitpid(each.pid, os.WNOHANG)[0]]
    if gone:
        _send({"spoiled": f"prepared stage processes ended: {sorted(gone)}"})
        raise _GraderGone
    return json.loads(line)


def _still_prepared(batch: list[dict], prepared: _Prepared) -> bool:
    """Every prepared process of `batch` answers that it is as it was when warm. Learner
    code of an earlier group (all gone now) had the same uid: it could signal them (one
    it stopped is continued here; one it ended does not answer; one with a signal left
    pending for any of its threads answers so) or change their limits or a thread's
    priority, CPUs or policy (then it answers so)."""
    for stage in batch:
        each = prepared.processes[str(stage["name"])]
        with contextlib.suppress(OSError):
            os.kill(each.pid, signal.SIGCONT)
        try:
            each.control.sendall(ASK)
            each.control.settimeout(ASK_SECONDS)
            answer = each.control.recv(16)
        except OSError:
            return False
        if answer != UNTOUCHED:
            return False
    return True


def _drop_prepared(batch: list[dict], prepared: _Prepared) -> None:
    """End the batch's prepared processes: the batch is forked afresh instead."""
    for stage in batch:
        each = prepared.processes.pop(str(stage["name"]))
        with contextlib.suppress(OSError):
            os.kill(each.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(each.pid, 0)
        each.control.close()
        os.close(each.claims)
        _end_waits(prepared.links, str(stage["name"]))
        for key in [key for key in prepared.links if key[0] == str(stage["name"])]:
            with contextlib.suppress(OSError):
                os.close(prepared.links.pop(key)[1])


def _run_prepared(request: dict, batch: list[dict], pids: list[int], started: list[int],
                  prepared: _Prepared) -> dict[str, int]:
    """Hand the submission to the batch's prepared processes and relay their claims."""
    links = prepared.links
    submission = json.dumps({key: request[key] for key in ("path", "kind", "learner_files")
                             if key in request}).encode()
    running = {}
    for stage in batch:
        each = prepared.processes.pop(str(stage["name"]))  # running now: no longer waiting
        with contextlib.suppress(OSError):  # (one that died is seen at its exit)
            each.control.sendall(submission)
        each.control.close()
        running[str(stage["name"])] = (each.pid, each.claims)
        pids.append(each.pid)
        started.append(each.pid)
    return _relay_batch(running, links)


def _fork_supervisor(request: dict, fds: list[int], control: socket.socket) -> int:
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            control.close()
            _supervise(request, fds)
        except _ProcessLimit:
            with contextlib.suppress(OSError):
                _send({"stopped": "processes"})
        except BaseException as error:
            code = 70
            with contextlib.suppress(OSError):
                _send({"supervisor_error": f"{type(error).__name__}: {error}"})
        finally:
            os._exit(code)
    return pid


def main(argv: list[str]) -> int:
    track, control, grader = argv[0], socket.socket(fileno=int(argv[1])), int(argv[2])
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]  # nothing importable from the folder this process started in
    _warm(track)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # supervisors are reaped by the kernel
    control.sendall(b'{"ready": true}')
    while True:
        ready, _, _ = select.select([control], [], [], PARENT_POLL_SECONDS)
        if os.getppid() != grader:
            return 0  # the grader process is gone (its socket may live on in a fork of it)
        if not ready:
            continue
        message, fds, _, _ = socket.recv_fds(control, 1 << 20, 4)
        if not message:
            return 0  # the grader closed the socket
        try:
            reply = {"pid": _fork_supervisor(json.loads(message), fds, control)}
        except Exception as error:  # e.g. fork failed: this check fails, the runner lives on
            reply = {"error": f"{type(error).__name__}: {error}"}
        finally:
            for fd in fds:
                os.close(fd)
        control.sendall(json.dumps(reply).encode())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
