"""Check one submission file in its own sandbox, from a warm runner.

The file's source is copied into the check's private scratch folder (the learner's file
is never touched) and run there by a process forked from a warm runner (see
ckptlab.checker.warm and ckptlab.checker.isolation): bubblewrap namespaces, uid 65534, no
network, limits on time, memory of the whole process tree, disk and output. The copy is
not on sys.path, so a submission named json.py, numpy.py or ckptlab.py shadows nothing.
What the learner's processes reported before a timeout, a kill or a crash is diagnosed
like a finished run. Where bubblewrap cannot run, the check runs unisolated and the
report says so ("not isolated because ...").
"""

from __future__ import annotations

import ast
import dataclasses
import signal
import time
from pathlib import Path

from ckptlab.checker.assemble import build_report, could_not_run, crashed, timed_out
from ckptlab.checker.explain.exceptions import finding_for_error
from ckptlab.checker.findings import Report, reworded
from ckptlab.checker.isolation import support
from ckptlab.checker.limits import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, Limits
from ckptlab.checker.runners.tracks import AFTER_STEPS, PROBE_RUN, STEPS, stages_of
from ckptlab.checker.scoring import scored
from ckptlab.checker.stage_names import in_groups
from ckptlab.checker.submission import (
    TRACK_ENTRY_POINTS,
    defined_names,
    detect_track,
    read_cells,
)
from ckptlab.checker.warm import Outcome, run_isolated
from ckptlab.errors import UsageError
from ckptlab.exercises.answers import NOT_ANSWERED, answered_source
from ckptlab.quiet import is_noise
from ckptlab.source_location import location, notebook_location

__all__ = [
    "DEFAULT_MEMORY_MB",
    "DEFAULT_TIMEOUT",
    "Limits",
    "check_file",
    "report_from_outcome",
    "require_sandbox",
]

OUTPUT_TAIL_LINES = 6
OUTPUT_LINE_CHARS = 300
_STOPPED = {"memory": "memory limit of {memory_mb} MB exceeded (all processes together)",
            "processes": "limit of {processes} processes and threads exceeded (all your "
                         "code together)",
            "disk": "disk limit of {disk_mb} MB exceeded",
            "output": "output limit of {output_mb} MB exceeded",
            "claims": "the check's results channel was flooded",
            "stray": "a process your code started kept running after its stage ended "
                     "(a process that forks itself again and again dodges being stopped)"}


_STOPPED_FIX = {"stray": "Let every process your code starts end before your function "
                        "returns (wait for it or join() it); start no daemons or sessions "
                        "of your own.",
                "processes": "Start a few threads or processes and reuse them (a pool such as "
                             "concurrent.futures.ThreadPoolExecutor(max_workers=4)); join "
                             "each one before starting the next instead of starting one per "
                             "item."}


# what Python raises in learner code when the kernel refuses a thread or a fork (EAGAIN)
_REFUSED = {"RuntimeError": "can't start new thread",
            "BlockingIOError": "Resource temporarily unavailable"}


def _refusals(obs: dict) -> list[str]:
    """Take out of `obs` the learner exceptions that are the process limit's refusals
    themselves (a stop at that limit is their cause); each as "stage: Type: message"."""
    errors = [e for e in obs.get("errors") or [] if isinstance(e, dict)]
    refused = [e for e in errors if e.get("type") in _REFUSED
               and _REFUSED[e["type"]] in str(e.get("message"))]
    if refused:
        obs["errors"] = [e for e in obs.get("errors") or [] if e not in refused]
    return [f"{e.get('stage')}: {e.get('type')}: {e.get('message')}" for e in refused]


def require_sandbox() -> None:
    """Raise a UsageError when checks here would run unisolated."""
    if not support().isolated:
        raise UsageError(f"Refusing to grade: checks here are {support().describe()}.",
                         fix="Install bubblewrap (apt-get install bubblewrap) and allow user "
                         "namespaces, or drop --require-sandbox to grade unisolated.")


def _output_tail(text: str) -> str:
    lines = [line.strip()[:OUTPUT_LINE_CHARS] for line in text.splitlines() if line.strip()
             and not is_noise(line)]
    return " / ".join(lines[-OUTPUT_TAIL_LINES:])


def _exit_cause(code: int | None) -> str:
    if code is None:
        return "no exit status"
    if code < 0:
        return f"killed by signal {signal.Signals(-code).name}"
    return f"exit code {code}"


def _not_ended(outcome: Outcome, track: str, obs: dict) -> tuple[str, ...]:
    """What the stage processes that did not end were running, when they ran beside
    another (stages "alongside"): then the stages finished, merged in stage order, do not
    tell where it stopped. Empty when each group is one stage (its last stage tells). A
    stage that never started (one CPU: the group's stages ran one at a time) is not
    named.
    A stage that got through its steps and waits for another stage that did not end
    ("waits_for") is not named: it was waiting. Nor is one that could not load the
    submission, nor one whose process had ended before a time-out while its group ran on
    (`_early_crash` tells of it)."""
    ended = _claiming(outcome, "finished")
    started = _claiming(outcome, "started")
    unloaded = _unloaded(outcome)  # (the report says so: "after loading")
    for specs in in_groups(stages_of(track) or []):
        group = [spec["name"] for spec in specs]
        # (a group's exits come when all of it ended: "finished" tells who got through)
        stuck = [name for name in group if name not in ended or outcome.exits.get(name, 0)]
        if not stuck:
            continue
        if len(group) == 1 or set(stuck) <= unloaded:
            return ()
        steps = STEPS.get(track, {})
        # (with one CPU a group's stages run one at a time: one never started is not named)
        # ended while the group ran on; after a limit's stop that may be the process the
        # limit itself ended (the OOM killer's victim), so only a time-out leaves it out
        gone = set(_gone(outcome)) if outcome.stopped == "timeout" else set()
        running = [(spec, _running_step(steps.get(spec["name"], ()), obs)) for spec in specs
                   if spec["name"] in stuck and spec["name"] in started
                   and spec["name"] not in gone | unloaded]
        # (a stage waiting for one that had ended waits no more: the supervisor ends the
        # wait when the process waited for exits, so its probe run is what ran on. Not so
        # a process the stop itself may have ended, which is named in its place: after the
        # process limit any (a refused thread or fork ends it with any status), after
        # another stop or a crash one killed by SIGKILL (the OOM killer's victim, the
        # supervisor's stop of a flood of claims); after a time-out none)
        woke = {name for name, code in outcome.ended.items()
                if outcome.stopped == "timeout" or name in unloaded
                or (outcome.stopped != "processes" and code != -signal.SIGKILL)}
        waited_on = set(stuck) - woke
        return tuple(words or _after_steps(track, spec["name"]) for spec, words in running
                     if words or spec.get("waits_for") not in waited_on)
    return ()


def _gone(outcome: Outcome) -> dict[str, int]:
    """{stage: exit status} of the stage processes of a stopped check that had ended
    without their result while the rest of their group ran on (e.g. evaluate() called
    os._exit(), even os._exit(0), while predict() looped); not one that failed to load
    the submission (the report says so: "while loading your code")."""
    ended = _claiming(outcome, "finished")
    unloaded = _unloaded(outcome)
    return {name: code for name, code in outcome.ended.items()
            if name not in outcome.exits and name not in ended and name not in unloaded}


def _claiming(outcome: Outcome, stage: str) -> set:
    """The stage processes that claimed `stage` ("started", "finished")."""
    return {claim.get("_stage") for claim in outcome.claims if claim.get("stage") == stage}


def _unloaded(outcome: Outcome) -> set:
    """The stage processes that could not load the submission."""
    return {claim.get("_stage") for claim in outcome.claims if _load_failed(claim.get("obs"))}


def _load_failed(obs: object) -> bool:
    errors = obs.get("errors") if isinstance(obs, dict) else None
    return any(isinstance(error, dict) and error.get("stage") == "load"
               for error in errors or [])


def _after_steps(track: str, name: str) -> str:
    """What the process of stage `name` ran once each of its steps had got through (a
    stage without steps: "your code")."""
    own = STEPS.get(track, {}).get(name, ())
    if not own:
        return "your code"
    return AFTER_STEPS.get(track, {}).get(name, PROBE_RUN).format(own[-1][1])


def _running_step(steps: tuple[tuple[str, str, bool], ...], obs: dict) -> str:
    """The step of one process that was running: the first that neither finished nor
    raised ("" when every step got through). An optional step (predict_many) runs only
    when the submission defines it (the process says so) and the step before it got
    through."""
    finished = set(obs.get("stages") or [])
    failed = {error.get("stage") for error in obs.get("errors") or [] if isinstance(error, dict)}
    serves = (obs.get("estimator") or {}).get("serves", True) is not False
    previous = ""
    for step, words, optional in steps:
        skipped = optional and (not serves or previous in failed)
        if step not in finished and step not in failed and not skipped:
            return words
        previous = step
    return ""


def _early_crash(outcome: Outcome, track: str, obs: dict) -> list:
    """One CRASHED naming every process that ended early (a cause of its own beside the
    stop), with the exit status of each when they differ."""
    steps = STEPS.get(track, {})
    gone = [(_running_step(steps.get(name, ()), obs) or _after_steps(track, name),
             _exit_cause(code)) for name, code in _gone(outcome).items()]
    if not gone:
        return []
    causes = {cause for _, cause in gone}
    cause = causes.pop() if len(causes) == 1 else "; ".join(
        f"{words}: {cause}" for words, cause in gone)
    return [crashed(obs, cause, running=tuple(words for words, _ in gone), early=True)]


def report_from_outcome(outcome: Outcome, track: str, subject: str, limits: Limits,
                        exercise: str = "", start: float | None = None) -> Report:
    """A Report from what the learner's processes claimed and how they ended."""
    obs = dict(outcome.judged or outcome.stage_obs())
    obs.setdefault("track", track)
    tail = _output_tail(outcome.output.decode("utf-8", errors="replace"))
    ended = _claiming(outcome, "finished")
    # every stage process exited 0 after reporting its end
    finished = outcome.finished and bool(outcome.exits) and all(
        code == 0 and stage in ended for stage, code in outcome.exits.items())
    failed_exit = next((code for code in outcome.exits.values() if code != 0), None)
    running = _not_ended(outcome, track, obs)
    extra = []
    if outcome.supervisor_error:
        extra.append(could_not_run(f"The checker could not enter the sandbox "
                                   f"({outcome.supervisor_error}).",
                                   "Report this to the ckptlab maintainers."))
    elif outcome.stopped == "timeout":
        extra.append(timed_out(obs, limits.timeout, running))
        extra += _early_crash(outcome, track, obs)
    elif outcome.stopped:
        cause = _STOPPED[outcome.stopped].format(**vars(limits))
        refused = _refusals(obs) if outcome.stopped == "processes" else []
        extra.append(crashed(obs, cause, tail, _STOPPED_FIX.get(outcome.stopped, ""),
                             running, refused))
    elif not outcome.started:
        extra.append(could_not_run("The checker's child process could not start.",
                                   "Check the installation of ckptlab in this Python.",
                                   {"last output": tail}))
    elif not finished:
        extra.append(crashed(obs, _exit_cause(failed_exit), tail,
                             running=running))
    # unisolated, or isolated without a limit on processes: the report says how
    notes = () if outcome.isolated and outcome.processes_limited else (outcome.isolation,)
    if outcome.strays:
        notes += (f"{outcome.strays} process(es) your code left running after a stage "
                  "were stopped before the next stage",)
    if outcome.survivors:
        notes += (f"{len(outcome.survivors)} process(es) of the check could not be killed",)
    report = build_report(obs, subject, extra, exercise, notes)
    timings = dict(report.timings)
    if start is not None:
        timings["total"] = round(time.perf_counter() - start, 3)
    return dataclasses.replace(report, timings=timings)


def _missing_for_exercise(exercise: str, source: str) -> list[str]:
    if not exercise:
        return []
    from ckptlab.exercises import get_exercise

    return [name for name in get_exercise(exercise).defines if name not in defined_names(source)]


def _answered(exercise: str, source: str) -> bool:
    from ckptlab.exercises import get_exercise

    spec = get_exercise(exercise)
    return answered_source(source, spec.notebook, spec.defines)


def check_file(path: str | Path, limits: Limits | None = None, exercise: str = "",
               isolated: bool = True, spare: bool = False) -> Report:
    """Check one submission file in its own sandbox (`isolated=False`: unisolated); a
    check against an exercise comes back scored. `spare`: as a notebook's check (a
    sandbox prepared after the previous check, see run_isolated)."""
    return scored(_check_file(path, limits, exercise, isolated, spare))


def _check_file(path: str | Path, limits: Limits | None, exercise: str,
                isolated: bool, spare: bool = False) -> Report:
    path, limits = Path(path), limits or Limits()
    source, cells = read_cells(path)
    script = f"{path.stem}.py"  # the name the submission runs under in the sandbox
    try:
        ast.parse(source)
    except SyntaxError as error:
        problem = {"stage": "load", "type": "SyntaxError", "message": str(error.msg),
                   "location": notebook_location(location(script, error.lineno or 0), script,
                                                 cells) if cells else
                   location(path.name, error.lineno or 0)}
        return Report("unknown", path.name, (finding_for_error(problem, "unknown"),),
                      exercise=exercise)
    track = detect_track(source)
    if exercise and not _answered(exercise, source):  # nothing of the learner's to run
        return Report(track, path.name, (), exercise=exercise, notes=(NOT_ANSWERED,),
                      answered=False)
    missing = _missing_for_exercise(exercise, source)
    if missing:
        finding = could_not_run(f"Exercise {exercise} needs {', '.join(missing)}, which "
                                f"{path.name} does not define.",
                                f"Define {', '.join(missing)} at the top level of the file.")
        return Report(track, path.name, (finding,), exercise=exercise)
    if track == "unknown":
        entries = " or ".join(TRACK_ENTRY_POINTS.values())
        finding = could_not_run(f"{path.name} defines neither {entries}, so there is nothing "
                                "to check.", f"Define {entries} at the top level of the file.")
        return Report("unknown", path.name, (finding,), exercise=exercise)
    start = time.perf_counter()
    outcome = run_isolated(track, source.encode("utf-8"), script, "file", limits,
                           isolated=isolated, stages=stages_of(track), spare=spare)
    report = report_from_outcome(outcome, track, path.name, limits, exercise, start)
    if cells:  # a notebook: 'a.py, line 40' of the joined cells is 'cell [5], line 3'
        report = reworded(report, lambda text: notebook_location(text, script, cells))
    return report
