"""Run one check in its own sandbox from a warm runner, and watch it to the end.

`run_isolated` is the one place that runs learner code for ckptlab: the CLI, `ckptlab
grade` and the notebook's `ckptlab.check` all come here. A warm runner per track
(ckptlab.checker.runners.zygote, TensorFlow imported once, kept for the life of this process)
forks the check's supervisor, which joins the sandbox made by ckptlab.checker.isolation.
This process reads the results channel and the output pipe, enforces the time, memory,
disk and output limits over the whole process tree, and kills the tree at the end.

A warm runner that died (killed from outside, out of memory, its grader's fork gone) is
replaced transparently: a check whose request it could not take is retried in a fresh
sandbox on a fresh runner, so no check fails because of an earlier one.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ckptlab.checker import spares
from ckptlab.checker.cpus import run_one_at_a_time
from ckptlab.checker.isolation import Sandbox
from ckptlab.checker.judge import EVIDENCE, judge, merged_claims
from ckptlab.checker.limits import Limits
from ckptlab.checker.stage_names import ALL, in_groups
from ckptlab.quiet import FORK_SAFE, quiet_environment

__all__ = ["Outcome", "run_isolated", "runner_env"]

OUTPUT_HEAD = 4 << 10  # the first and the last bytes of the output are kept
OUTPUT_KEEP = 12 << 10
RESULTS_LIMIT = 64 << 20
POLL_SECONDS = 0.05
DISK_POLL_SECONDS = 0.25
START_TIMEOUT = 300.0
START_ATTEMPTS = 3  # a check's request, tried on this many runners before giving up


def runner_env(track: str) -> dict[str, str]:
    """The warm runner's whole environment: nothing of the grader's (no secrets)."""
    package_root = str(Path(__file__).resolve().parents[2])  # the same ckptlab as here
    env = quiet_environment({"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp",
                             "PYTHONHASHSEED": "0", "CUDA_VISIBLE_DEVICES": "-1",
                             "PYTHONPATH": package_root, "PYTHONDONTWRITEBYTECODE": "1",
                             FORK_SAFE: "1", "TF_ENABLE_ONEDNN_OPTS": "0"})
    # oneDNN off: every stage process is fresh, and oneDNN's graph rewrite and kernel JIT
    # cost each one about 0.1 CPU-s at its first session run, for models this small
    # Which Keras backs tf.keras is the checker's choice, not the caller's: the TF2 track
    # checks Keras 3 code, and TF 2.15 fails to import with the variable set.
    if track == "estimator" and importlib.util.find_spec("tf_keras") is not None:
        # TF >= 2.16: tf.compat.v1.layers needs tf_keras, chosen before TF is imported
        env["TF_USE_LEGACY_KERAS"] = "1"
    return env


class RunnerLost(OSError):
    """The warm runner could not take a check's request (it died, or could not fork)."""


class _Runner:
    """One warm runner process and the socket to it."""

    def __init__(self, track: str):
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.track = track
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ckptlab.checker.runners.zygote", track, str(theirs.fileno()),
             str(os.getpid())],
            pass_fds=(theirs.fileno(),), env=runner_env(track), cwd="/",
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        theirs.close()
        self.socket, self.lock = mine, threading.Lock()
        self.socket.settimeout(START_TIMEOUT)
        try:
            ready = self.socket.recv(1 << 10)
        except OSError:
            ready = b""
        if not ready:
            self.process.kill()
            error = self.process.stderr.read().decode(errors="replace")[-2000:]
            raise OSError(f"the warm checker process did not start: {error}")
        self.process.stderr.close()
        self.socket.settimeout(30)

    def alive(self) -> bool:
        return self.process.poll() is None

    def start(self, request: dict, fds: list[int]) -> int:
        """Hand a check to the runner; its supervisor's pid. RunnerLost if it cannot."""
        with self.lock:
            try:
                socket.send_fds(self.socket, [json.dumps(request).encode()], fds)
                reply = json.loads(self.socket.recv(1 << 10) or b"{}")
            except (OSError, ValueError) as error:  # died before or while taking it
                raise RunnerLost(f"the warm runner is gone ({type(error).__name__}: "
                                 f"{error})") from error
        if "pid" not in reply:
            raise RunnerLost(reply.get("error") or "the warm runner closed its socket")
        return int(reply["pid"])

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.socket.close()
        with contextlib.suppress(OSError):
            self.process.kill()
            self.process.wait(5)


_RUNNERS: dict[str, _Runner] = {}
_RUNNERS_LOCK = threading.Lock()


def warm_runner(track: str) -> _Runner:
    """The track's warm runner, started on first use and restarted if it died."""
    with _RUNNERS_LOCK:
        runner = _RUNNERS.get(track)
        if runner is None or not runner.alive():
            runner = _RUNNERS[track] = _Runner(track)
        return runner


def _retire(runner: _Runner) -> None:
    """Stop a runner that failed a request; the next warm_runner() starts a new one."""
    with _RUNNERS_LOCK:
        if _RUNNERS.get(runner.track) is runner:
            del _RUNNERS[runner.track]
    runner.stop()


@atexit.register
def _stop_runners() -> None:
    for runner in list(_RUNNERS.values()):
        runner.stop()


@dataclass
class Outcome:
    """What the grader saw of one check: claims (untrusted), how it ended, the output."""

    claims: list[dict] = field(default_factory=list)  # {"stage", "obs"} said by learner processes
    exits: dict[str, int] = field(default_factory=dict)  # stage -> exit status (supervisor's)
    # stage -> exit status, said the moment its process ended (its group may run on)
    ended: dict[str, int] = field(default_factory=dict)
    finished: bool = False  # the supervisor reported the end of every stage
    stopped: str = ""  # which limit stopped it (sandbox._STOPPED's keys), "timeout" or ""
    output_head: bytes = b""
    output_tail: bytes = b""
    output_bytes: int = 0
    survivors: list[int] = field(default_factory=list)
    strays: int = 0  # processes a stage left that the grader stopped before the next one
    isolation: str = ""
    isolated: bool = False
    processes_limited: bool = True  # False: isolated, but no limit on processes here
    peak_mb: float = 0.0
    supervisor_error: str = ""
    spoiled: str = ""  # a spare that could not take the check (it is run afresh)
    spare: bool = False  # run by a spare sandbox's prepared processes
    afresh: list[str] = field(default_factory=list)  # stages of a spare forked afresh
    judged: dict = field(default_factory=dict)  # last claims plus the judge's own facts
    stages: list[str] = field(default_factory=list)  # the stage names, in their order

    @property
    def output(self) -> bytes:
        """The output's first and last bytes (all of it when it was short)."""
        cut = self.output_bytes - len(self.output_head) - len(self.output_tail)
        if cut <= 0:
            return self.output_head + self.output_tail
        return self.output_head + f"\n[... {cut} bytes ...]\n".encode() + self.output_tail

    @property
    def started(self) -> bool:
        return bool(self.claims)

    def stage_obs(self) -> dict:
        """The last observations of each stage, merged in stage order (untrusted claims)."""
        return merged_claims(self.claims, self.stages)

    def last_obs(self) -> dict:
        for claim in reversed(self.claims):
            if isinstance(claim.get("obs"), dict):
                return claim["obs"]
        return {}


def _take(source: Path, target: Path) -> None:
    """Copy the regular files of `source` (a file or a folder) to `target`; links and
    special files are left out, so nothing the learner planted points back into the work
    folder (or anywhere else) once copied."""
    if source.is_symlink():
        return
    if source.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            shutil.copyfile(source, target, follow_symlinks=False)
        return
    if not source.is_dir():
        return
    target.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        for entry in os.scandir(source):
            _take(Path(entry.path), target / entry.name)


def _between(stage: dict, work: Path, vault: Path) -> None:
    """After a stage, while no process of the check runs: its evidence folder moves to
    the vault (outside the sandbox), with copies of what the stage spec asks (e.g. the
    model_dir as training left it). Spec "vault": {"copy": [...], "move": [...],
    "keep": [...]}: "move" takes more out of the work folder; "keep" takes out everything
    but those names, so the next stage sees only what a real restore needs."""
    spec = stage.get("vault") or {}
    into = vault / str(stage.get("name"))
    into.mkdir(parents=True, exist_ok=True)  # (the judge: this stage's copy was taken)
    moved = [EVIDENCE, *spec.get("move", ())]
    if "keep" in spec:
        with contextlib.suppress(OSError):
            moved += [name for name in os.listdir(work) if name not in spec["keep"]]
    for relative in dict.fromkeys(moved):
        _take(work / relative, into / relative)
        with contextlib.suppress(OSError):
            path = work / relative
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
    for relative in spec.get("copy", ()):
        _take(work / relative, into / relative)


def _take_result(line: bytes, outcome: Outcome, after_stage=None) -> None:
    try:
        message = json.loads(line)
    except ValueError:
        return
    if "claim" in message:
        with contextlib.suppress(ValueError, TypeError, RecursionError):
            claim = json.loads(message["claim"])
            if isinstance(claim, dict):
                outcome.claims.append({**claim, "_stage": message.get("stage")})
    elif "ended" in message:
        with contextlib.suppress(TypeError, ValueError):
            outcome.ended[str(message.get("stage"))] = int(message["ended"])
    elif "exit" in message:
        outcome.exits[str(message.get("stage"))] = int(message["exit"])
        if after_stage is not None:
            after_stage(str(message.get("stage")))
    elif "overflow" in message:
        outcome.stopped = outcome.stopped or "claims"
    elif message.get("stopped") == "processes":  # a fork refused to the supervisor
        outcome.stopped = outcome.stopped or "processes"
    elif message.get("done"):
        outcome.finished = True
    elif "afresh" in message:  # a spare's prepared processes replaced by fresh forks
        with contextlib.suppress(TypeError):
            outcome.afresh += [str(name) for name in message["afresh"]]
    elif "spoiled" in message:  # a spare's prepared process had ended: none of it ran
        outcome.spoiled = str(message["spoiled"])
    elif "supervisor_error" in message:
        outcome.supervisor_error = str(message["supervisor_error"])


def _watch(box: Sandbox, results: int, output: int, outcome: Outcome,
           after_stage=None) -> None:
    limits = box.limits
    deadline = time.monotonic() + limits.timeout
    next_disk = next_memory = 0.0
    buffer, received = b"", 0
    open_fds = {results, output}
    while results in open_fds:
        ready, _, _ = select.select(list(open_fds), [], [], POLL_SECONDS)
        for fd in ready:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                open_fds.discard(fd)
            elif fd == output:
                outcome.output_bytes += len(chunk)
                room = OUTPUT_HEAD - len(outcome.output_head)
                if room > 0:
                    outcome.output_head += chunk[:room]
                    chunk = chunk[room:]
                outcome.output_tail = (outcome.output_tail + chunk)[-OUTPUT_KEEP:]
            else:
                received += len(chunk)
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    _take_result(line, outcome, after_stage)
        now = time.monotonic()
        memory_due = now >= next_memory or results not in open_fds  # and at the very end
        if memory_due:
            next_memory = now + box.memory_poll_seconds
        if now > deadline:
            outcome.stopped = "timeout"
        elif box.idle and box.idle_ended() and not box.leave_out(set(), 0.0, 0):
            outcome.stopped = "memory"  # the room of waiting processes that were killed
        elif memory_due and box.over_memory():
            # files written are charged to the memory cgroup as page cache: a disk flood
            # can fill memory before the next disk poll, and then the disk is the cause
            outcome.stopped = "disk" if box.disk_mb() > limits.disk_mb else "memory"
        elif box.processes_refused():  # the kernel refused a fork or thread at the limit
            outcome.stopped = "processes"
        elif outcome.output_bytes > limits.output_mb << 20:
            outcome.stopped = "output"
        elif received > RESULTS_LIMIT:
            outcome.stopped = "claims"
        elif now > next_disk:
            next_disk = now + DISK_POLL_SECONDS
            if box.disk_mb() > limits.disk_mb:
                outcome.stopped = "disk"
        if outcome.stopped:
            box.kill()
            return


def run_isolated(track: str, payload: bytes, name: str, kind: str = "file",
                 limits: Limits | None = None, isolated: bool = True,
                 learner_files: list[str] | None = None,
                 stages: list[dict] | None = None, spare: bool = False) -> Outcome:
    """Run one submission (a .py source or a cloudpickled dict of functions) in a new
    sandbox; returns what was seen. Never raises for anything the submission does.

    `stages`: [{"name": ..., "call": "module:function", "args": {...}}, ...], each run in a
    new process forked from the clean warm state, one after the other, learner processes
    left by one stage killed before the next (a stage with "alongside": true runs at the
    same time as the one before it, and the two end as one); the function is called as
    `f(track, functions, workdir, learner_files, emit, **args)` and returns the stage's
    observations. Default: one stage "all" running the whole track. After each stage, while
    no process of the check runs, its `evidence/` folder (and the stage's optional "vault":
    {"move": [...], "copy": [...]} paths) is taken into a vault outside the sandbox.

    `spare`: a notebook's check (checks follow each other in this process): run in the
    spare sandbox made after the previous one where there is one (ckptlab.checker.spares),
    and make the next one in the background afterwards.

    Once every process of the check is dead, the trusted judge (ckptlab.checker.judge)
    reads the vault and the work folder before they are deleted; its result is
    `outcome.judged`.
    """
    limits = limits or Limits()
    stages = stages or [{"name": ALL}]
    try:
        # a spare made is used (its memory is held already); the next is made only where
        # one fits now (spares.worth_it)
        ready = spares.take(track, limits, stages) if spare and isolated else None
        if ready is not None:
            try:
                return _run_once(None, track, payload, name, kind, limits, isolated,
                                 learner_files, stages, ready)
            except SpareSpoiled:
                pass  # the spare could not take it: checked afresh below
        return _run_cold(track, payload, name, kind, limits, isolated, learner_files, stages)
    finally:
        if spare and spares.worth_it(track, isolated):
            spares.offer(_hand_over, track, limits, stages)


def _hand_over(track: str):
    """What gives a request to the track's warm runner (for a spare being made)."""
    return warm_runner(track).start


def _run_cold(track: str, payload: bytes, name: str, kind: str, limits: Limits,
              isolated: bool, learner_files: list[str] | None, stages: list[dict]
              ) -> Outcome:
    for attempt in range(START_ATTEMPTS):
        runner = warm_runner(track)
        try:
            return _run_once(runner, track, payload, name, kind, limits, isolated,
                             learner_files, stages)
        except RunnerLost:
            _retire(runner)  # a fresh sandbox and a fresh runner for the next attempt
            if attempt == START_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


class SpareSpoiled(OSError):
    """A spare could not take the check: a prepared process had ended before the
    submission reached it, or its supervisor was gone (nothing came back at all)."""


@dataclass
class _Started:
    """A check under way: the grader's ends of its channels."""

    results: int
    output: int
    go: int
    own: set[int]  # the sandbox's processes before the check's supervisor joined
    prepared: dict[str, int] = field(default_factory=dict)  # stage -> host pid, waiting


def _start(runner: _Runner, box: Sandbox, request: dict) -> _Started:
    """Hand the check to a warm runner, whose supervisor joins `box`."""
    results_read, results_write = os.pipe()
    output_read, output_write = os.pipe()
    go_read, go_write = os.pipe()
    own = set(box.members())  # before any process of the check joins it
    try:
        box.joined(runner.start(request, [results_write, output_write, go_read]))
    except RunnerLost:
        for fd in (results_read, output_read, go_write):
            os.close(fd)
        raise
    finally:
        for fd in (results_write, output_write, go_read):
            os.close(fd)
    return _Started(results_read, output_read, go_write, own)


def _start_spare(spare: spares.Spare, request: dict) -> _Started:
    """Hand the submission to a spare's prepared processes (one JSON line on its go)."""
    with spare.lock:  # the channels are the check's now: closing the spare leaves them
        started = _Started(spare.results, spare.output, spare.go, spare.own,
                           dict(spare.processes))
        spare.results = spare.output = spare.go = -1
    # the later groups' processes wait: the check's limits are the learner's without them
    spare.box.leave_out(spare.idle, spare.idle_mb, spare.idle_tasks)
    line = json.dumps({key: request[key] for key in ("path", "kind", "learner_files")})
    with contextlib.suppress(OSError):  # (a supervisor that died: seen as no result)
        os.write(started.go, line.encode() + b"\n")
    return started


def _run_once(runner: _Runner | None, track: str, payload: bytes, name: str, kind: str,
              limits: Limits, isolated: bool, learner_files: list[str] | None,
              stages: list[dict], spare: spares.Spare | None = None) -> Outcome:
    # a spare's sandbox is made already: closed (with the spare) at the end like a new one
    context = contextlib.closing(spare) if spare is not None else Sandbox(limits, isolated)
    with context as entered:
        box = spare.box if spare is not None else entered
        box.limits = limits  # (a spare's were the same but for the time limit: this one's)
        vault = box.vault
        target = box.scratch / "submission" / name
        target.write_bytes(payload)
        target.chmod(0o644)
        request = {**box.join_request(), "track": track, "kind": kind,
                   "path": f"{box.join_request()['root']}/submission/{name}",
                   "stages": stages, "learner_files": learner_files or [],
                   "handshake": True, "one_at_a_time": run_one_at_a_time()}
        outcome = Outcome(isolation=box.describe(), isolated=box.isolated,
                          processes_limited=box.processes_limited,
                          stages=[str(stage["name"]) for stage in stages],
                          spare=spare is not None)
        started = _start_spare(spare, request) if spare is not None else \
            _start(runner, box, request)
        _watch_check(box, started, outcome, stages)
        if spare is not None and not outcome.claims and (outcome.spoiled or not (
                outcome.finished or outcome.stopped or outcome.exits or outcome.ended)):
            raise SpareSpoiled(outcome.spoiled or "the spare's supervisor said nothing")
        # the trusted judge reads the vault and the checkpoints before the scratch goes
        outcome.judged = judge(outcome.stage_obs(), box.scratch / "work", vault)
    return outcome


def _watch_check(box: Sandbox, started: _Started, outcome: Outcome, stages: list[dict]
                 ) -> None:
    """Watch a started check to its end, taking each stage's evidence after it."""
    by_name = {str(stage["name"]): stage for stage in stages}
    group_of = {str(stage["name"]): number
                for number, group in enumerate(in_groups(stages)) for stage in group}
    waiting = dict(started.prepared)  # prepared processes whose stage has not run yet

    def after_stage(stage: str) -> None:  # the supervisor waits until this is done
        for other in [n for n in waiting if group_of.get(n, -1) <= group_of.get(stage, -1)]:
            del waiting[other]  # its group ran: no longer a process of the sandbox's own
        if started.prepared and box.idle and not any(
                group_of.get(n, 0) > group_of.get(stage, 0) + 1 for n in waiting) \
                and not box.leave_out(set(), 0.0, 0):  # the last waiting ones run next
            outcome.stopped = "memory"  # over the limit made whole again
            return
        expected = started.own | set(waiting.values())
        found, left = box.end_strays(expected)  # nothing of a stage meets the next
        outcome.strays += found
        if left:
            outcome.stopped = "stray"
            return  # _watch kills the whole sandbox
        _between(by_name.get(stage, {"name": stage}), box.scratch / "work", Path(box.vault))
        with contextlib.suppress(OSError):
            os.write(started.go, b"g")

    try:
        _watch(box, started.results, started.output, outcome, after_stage)
    finally:
        for fd in (started.results, started.output, started.go):
            os.close(fd)
        outcome.survivors = box.survivors()
        outcome.peak_mb = round(box.peak_mb, 1)
