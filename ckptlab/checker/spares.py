"""Spare sandboxes: the next notebook check's sandbox, made and warmed before it arrives.

After a notebook check (ckptlab.checker.worker) the grader makes one spare sandbox per
track in the background: the sandbox and its cgroups, the supervisor joined, and one
stage process per stage forked and warmed on ckptlab's own model
(ckptlab.checker.runners.warmup), all before any learner code exists. The next check
with the same limits (the time limit aside) and stages hands its submission to those
processes instead of paying TensorFlow's first-use costs in fresh ones; its time limit
starts then, and its memory and process limits leave out what the later stages'
waiting processes hold (isolation.Sandbox.leave_out). A spare is never reused: each
check runs in a sandbox of its own, and one that cannot be used (other limits, a
process of it or its supervisor ended) is closed and the check runs in a fresh sandbox
as if there had been no spare. A spare made is used even where memory has grown short
since (it holds its memory already); the next one is made only where one fits.

Spares are made only where they pay and fit: an isolated sandbox (bubblewrap), more than
one usable CPU (with one, the warm-up would take the CPU the learner's next check needs),
and a track with a warm-up. An idle spare holds four warmed TensorFlow processes (their
private memory: see bench/results/checker.md) until the next check or the kernel's end.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import queue
import select
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields

from ckptlab.checker.cpus import run_one_at_a_time
from ckptlab.checker.isolation import Sandbox, support
from ckptlab.checker.limits import Limits
from ckptlab.checker.memory_room import free_memory_mb
from ckptlab.checker.stage_names import in_groups

__all__ = ["Spare", "close_spares", "offer", "take", "wait_for_spares", "worth_it"]

SWITCH = "CKPTLAB_SPARES"  # "0": no spares (e.g. a hub whose pods are short of memory)
# memory free for this process's tree (machine and cgroup limits) for a spare to be made:
# an idle one holds about 450 MB (four TensorFlow processes), and the check it serves then
# needs what a check in fresh processes does
ROOM_MB = 1536
READY_SECONDS = 120.0  # a spare's warm-up, at most
TAKE_SECONDS = 60.0  # how long a check waits for a spare still warming up
CLOSE_WAIT_SECONDS = 30.0  # how long the end of the process waits for one being made


def _key(track: str, limits: Limits, stages: list[dict]) -> tuple:
    # the time limit starts with the check: every other limit is the sandbox's own; and
    # whether a group's stages run at once is the supervisor's from the start
    kept = tuple((f.name, getattr(limits, f.name)) for f in fields(limits) if f.name != "timeout")
    return track, kept, json.dumps(stages, sort_keys=True), run_one_at_a_time()


@dataclass(eq=False)
class Spare:
    """A spare sandbox and the grader's ends of its supervisor's channels.

    The thread making it owns its descriptors until it is ready: closed before that, it
    is released by that thread when it is done with them (no descriptor is closed while
    another thread reads it, nor reused under it)."""

    key: tuple
    box: Sandbox
    results: int = -1  # read end of the results channel
    output: int = -1  # read end of the output pipe
    go: int = -1  # write end of the grader's go (the submission, then a byte per stage)
    own: set[int] = field(default_factory=set)  # the sandbox's processes before the supervisor
    processes: dict[str, int] = field(default_factory=dict)  # stage -> host pid, prepared
    # the later groups' prepared processes: their private memory and tasks, which the
    # check's limits leave out while those processes wait (warm._watch_check)
    idle: set[int] = field(default_factory=set)  # their host pids
    idle_mb: float = 0.0
    idle_tasks: int = 0
    ready: threading.Event = field(default_factory=threading.Event)
    error: str = ""
    closed: bool = False
    released: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def close(self) -> None:
        with self.lock:
            if self.closed:
                return
            self.closed = True
            made = self.ready.is_set()
        if made:
            self.release()

    def release(self) -> None:
        """Close the descriptors still held and the sandbox (once)."""
        with self.lock:
            if self.released:
                return
            self.released = True
            fds, self.results, self.output, self.go = (self.results, self.output,
                                                       self.go), -1, -1, -1
        for fd in fds:
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.box.close()

    def usable(self) -> bool:
        """Made, not closed, and its supervisor still waiting: it has said nothing since
        "prepared" (an end of file on the results channel: it ended)."""
        if not self.ready.is_set() or self.error or self.closed or not self.processes \
                or self.results < 0:
            return False
        readable, _, _ = select.select([self.results], [], [], 0)
        return not readable


_SPARES: dict[str, Spare] = {}  # track -> the one spare made or being made for it
_LOCK = threading.Lock()
_JOBS: queue.Queue = queue.Queue()
_MAKER: list[threading.Thread] = []  # the one thread that makes spares, for good


def worth_it(track: str, isolated: bool) -> bool:
    """Whether checks of this kind get spares here: not turned off (SWITCH=0), isolated,
    a track with a warm-up, two CPUs or more, and room in memory for an idle spare."""
    from ckptlab.checker.runners.warmup import warmed_tracks

    return os.environ.get(SWITCH, "1") != "0" and isolated and track in warmed_tracks() \
        and not run_one_at_a_time() and free_memory_mb() >= ROOM_MB and support().isolated


def offer(start: Callable[[str], Callable[[dict, list[int]], int]], track: str,
          limits: Limits, stages: list[dict]) -> None:
    """Make the next spare for `track` in the background (replacing an older one).
    `start(track)` gives the function that hands a request to the track's warm runner.

    One thread makes every spare and never ends: bubblewrap's --die-with-parent follows
    the thread that started it (PR_SET_PDEATHSIG), so a thread that ended would take its
    sandboxes with it."""
    key = _key(track, limits, stages)
    with _LOCK:
        old = _SPARES.get(track)
        if old is not None and old.key == key and not old.error and not old.closed:
            return
        if not _MAKER:
            _MAKER.append(threading.Thread(target=_serve, name="ckptlab-spares", daemon=True))
            _MAKER[0].start()
    _JOBS.put((start, key, limits, stages))


def _serve() -> None:
    while True:
        job = _JOBS.get()
        try:
            with contextlib.suppress(Exception):  # the next check runs in a fresh sandbox
                _make(*job)
        finally:
            _JOBS.task_done()


def _make(start: Callable[[str], Callable[[dict, list[int]], int]], key: tuple,
          limits: Limits, stages: list[dict]) -> None:
    track = key[0]
    try:
        box = Sandbox(limits, True).__enter__()
    except Exception:  # (no sandbox now: the next check runs in a fresh one)
        return
    spare = Spare(key, box)
    with _LOCK:
        old, _SPARES[track] = _SPARES.get(track), spare
    if old is not None:
        old.close()
    try:
        _prepare(spare, start, track, stages)
    except Exception as error:  # the check that would take it runs in a fresh sandbox
        spare.error = f"{type(error).__name__}: {error}"
    finally:
        spare.ready.set()
        if spare.error or spare.closed:
            with _LOCK:
                if _SPARES.get(track) is spare:
                    del _SPARES[track]
            spare.closed = True
            spare.release()


def _prepare(spare: Spare, start: Callable[[str], Callable[[dict, list[int]], int]],
             track: str, stages: list[dict]) -> None:
    box = spare.box
    hand_over = start(track)  # (may start the warm runner: it can take a while)
    if spare.closed:
        raise OSError("closed before it was made")
    request = {**box.join_request(), "track": track, "stages": stages, "handshake": True,
               "one_at_a_time": False, "prepare": True}
    results_read, results_write = os.pipe()
    output_read, output_write = os.pipe()
    go_read, go_write = os.pipe()
    with spare.lock:
        spare.results, spare.output, spare.go = results_read, output_read, go_write
    spare.own = set(box.members())  # before the supervisor joins
    try:
        box.joined(hand_over(request, [results_write, output_write, go_read]))
    finally:
        for fd in (results_write, output_write, go_read):
            os.close(fd)
    line, deadline = b"", time.monotonic() + READY_SECONDS
    while not line.endswith(b"\n"):
        if spare.closed or time.monotonic() > deadline:
            raise OSError("the spare sandbox did not get ready")
        readable, _, _ = select.select([results_read], [], [], 0.25)
        if readable:
            chunk = os.read(results_read, 1 << 16)
            if not chunk:
                raise OSError("the spare's supervisor ended while preparing")
            line += chunk
    message = json.loads(line)
    if not isinstance(message.get("prepared"), dict):
        raise OSError(f"the spare's supervisor said {line[:300]!r}")
    spare.processes = {str(name): int(pid) for name, pid in message["prepared"].items()}
    held = message.get("held") if isinstance(message.get("held"), dict) else {}
    idle = [name for name in spare.processes
            if name not in {str(stage["name"]) for stage in in_groups(stages)[0]}]
    spare.idle = {spare.processes[name] for name in idle}
    spare.idle_mb = sum(float((held.get(name) or [0, 0])[0]) for name in idle)
    spare.idle_tasks = sum(int((held.get(name) or [0, 0])[1]) for name in idle)


def take(track: str, limits: Limits, stages: list[dict]) -> Spare | None:
    """The spare for a check like this one, ready (waiting for it to be), or None."""
    with _LOCK:
        spare = _SPARES.pop(track, None)
    if spare is None:
        return None
    if spare.key != _key(track, limits, stages) or not spare.ready.wait(TAKE_SECONDS) \
            or not spare.usable():
        spare.close()
        return None
    return spare


def wait_for_spares(timeout: float = READY_SECONDS) -> bool:
    """Block until every spare asked for is ready or given up (True if all in time)."""
    deadline = time.monotonic() + timeout
    while _JOBS.unfinished_tasks and time.monotonic() < deadline:
        time.sleep(0.01)
    return not _JOBS.unfinished_tasks


@atexit.register
def close_spares() -> None:
    """Close every spare (at the process's end; a test, to see what a check left), once
    the one being made, if any, is made."""
    wait_for_spares(CLOSE_WAIT_SECONDS)
    with _LOCK:
        spares = list(_SPARES.values())
        _SPARES.clear()
    for spare in spares:
        spare.close()
        spare.release()  # (one still being made after the wait: its maker is not waited for)
