"""Observations (from a runner, maybe partial) plus checker events become a Report."""

from __future__ import annotations

from collections.abc import Sequence

from ckptlab.checker.codes import make_finding
from ckptlab.checker.explain import diagnose, order_by_cause
from ckptlab.checker.findings import (
    ENDED_EARLY,
    NOT_ENDED,
    VERDICT_PASS,
    Finding,
    Report,
    verdict_of,
)
from ckptlab.checker.observations import ObservationError, Observations

__all__ = ["build_report", "contradicted", "could_not_run", "crashed", "timed_out",
           "unverified"]

# the Estimator track's calls whose restore is compared with the model as saved
RESTORING = ("evaluate", "predict", "resume")


def _last_stage(obs: dict) -> str:
    stages = obs.get("stages") or []
    return stages[-1] if stages else "(none: it stopped while loading your code)"


def _finished(obs: dict) -> str:
    return f"Stages that finished: {', '.join(obs.get('stages') or []) or 'none'}."


def _timeout_fix(obs: dict, running: tuple[str, ...] = ()) -> str:
    """An endless input only matters while training runs; after it, name what still runs."""
    stages = obs.get("stages") or []
    if running:
        endless = ("evaluate() reads its input to the end: give it a finite one (no "
                   "repeat() without a count); otherwise find" if "evaluate()" in running
                   else "Find")
        return (f"{endless} the loop that never ends in your code that "
                f"{' and '.join(running)} {'run' if len(running) > 1 else 'runs'} (the "
                "input_fn, the model_fn in that mode, the hooks; run that call alone in a "
                "cell), or allow more time with --timeout.")
    if "train" not in stages and obs.get("track") == "estimator":
        return ("Make sure training stops: give train() a finite input (no endless repeat() "
                "while global_step does not advance) and remove loops that never end; or "
                "allow more time with --timeout.")
    return ("Find the loop that never ends in the code that ran after the last stage shown "
            "(run that function alone in a cell), or allow more time with --timeout.")


def timed_out(obs: dict, seconds: float, running: tuple[str, ...] = ()) -> Finding:
    """`running`: what the processes that did not end ran, when several ran at once."""
    return make_finding(
        "TIMEOUT",
        f"The check was stopped after {seconds:g} s, while {' and '.join(running)} "
        f"{'were' if len(running) > 1 else 'was'} still running. {_finished(obs)}"
        if running else
        f"The check was stopped after {seconds:g} s. Last stage that finished: "
        f"{_last_stage(obs)}.",
        _timeout_fix(obs, running),
        {"time limit (s)": seconds, "stages finished": obs.get("stages", []),
         **({NOT_ENDED: list(running)} if running else {})})


def crashed(obs: dict, cause: str, output_tail: str = "", fix: str = "",
            running: tuple[str, ...] = (), follows: Sequence[str] = (),
            early: bool = False) -> Finding:
    """`follows`: what the learner's code raised because of the cause (e.g. the threads
    a process limit refused), shown as its consequence. `early`: the processes `running`
    ended before the check was stopped, while the rest of their group ran on (the stop
    is named by a finding of its own)."""
    evidence = {"cause": cause, "stages finished": obs.get("stages", [])}
    if running:
        evidence[ENDED_EARLY if early else NOT_ENDED] = list(running)
    if follows:
        evidence["follows from this"] = list(follows)
    if output_tail:
        evidence["last output"] = output_tail
    return make_finding(
        "CRASHED",
        f"The process{'es' * (len(running) > 1)} running {' and '.join(running)} ended "
        f"without a result ({cause}). {_finished(obs)}" if running else
        f"The process running your code ended without a result ({cause}). Last stage that "
        f"finished: {_last_stage(obs)}.",
        fix or "Remove os._exit()/sys.exit() calls and very large allocations from your "
        "code; run your functions in a cell to see where the process dies.", evidence)


def could_not_run(what: str, fix: str, evidence: dict | None = None) -> Finding:
    return make_finding("CHECK_INTERNAL_ERROR", what, fix, evidence)


def unverified(missing: tuple[str, ...]) -> Finding:
    """The run claims a result the judge found no evidence for: missing evidence is an
    error, never a pass."""
    return could_not_run(
        "The check's own evidence of your run is missing, so its result cannot be "
        f"trusted: {'; '.join(missing)}.",
        "Let the check call your functions to the end: do not exit the process, write to "
        "its file descriptors or replace the checker's, NumPy's or TensorFlow's functions.",
        {"missing evidence": list(missing)})


def contradicted(claims: tuple[str, ...]) -> Finding:
    """The run's report says what the disk shows did not happen: an error, always."""
    return could_not_run(
        "Your run's report contradicts what it left on disk, so its result cannot be "
        f"trusted: {'; '.join(claims)}.",
        "Leave the checkpoints to the Estimator and the check: do not write, delete or "
        "rename files in the model_dir from your code (model_fn, hooks, input_fn), and do "
        "not replace the checker's, NumPy's or TensorFlow's functions; the check reads "
        "what train() left on disk itself.",
        {"contradicted": list(claims)})


def build_report(obs: dict, subject: str, extra: list[Finding] | tuple = (),
                 exercise: str = "", notes: tuple[str, ...] = ()) -> Report:
    """Typed observations -> diagnosers -> findings ordered by cause (extras included)."""
    try:
        observations = Observations.from_json({"track": "unknown", **obs})
    except ObservationError as error:  # a runner and this ckptlab disagree: fail loudly
        findings = [could_not_run(f"The observations could not be read ({error}).",
                                  "Report this to the ckptlab maintainers.")]
        return Report(obs.get("track", "unknown"), subject, tuple([*extra, *findings]),
                      exercise=exercise, notes=notes)
    try:
        findings, diagnoser_notes = diagnose(observations)
    except Exception as error:  # the registry itself failed: the check could not run
        findings, diagnoser_notes = [could_not_run(
            f"The diagnosers could not run ({type(error).__name__}: {error}).",
            "Report this to the ckptlab maintainers with the submission.")], []
    if exercise:
        from ckptlab.exercises import EXERCISES

        if exercise in EXERCISES:  # links and fixes written for this exercise's starter
            findings = [EXERCISES[exercise].for_exercise(f) for f in findings]
    judge_notes = observations.judged.notes if observations.judged else ()
    if observations.judged and observations.judged.unverified \
            and verdict_of([*findings, *extra]) == VERDICT_PASS:  # never a pass without it
        findings = [*findings, unverified(observations.judged.unverified)]
    if observations.judged and observations.judged.contradicted:
        # nothing read from claims the disk contradicts is a finding of the learner's code
        findings = [contradicted(observations.judged.contradicted)]
    return Report(observations.track, subject, tuple(order_by_cause([*findings, *extra])),
                  dict(observations.timings), observations.stages, exercise,
                  tuple([*notes, *diagnoser_notes, *judge_notes]),
                  unjudged=_unjudged(observations))


def _unjudged(observations: Observations) -> tuple[str, ...]:
    """Codes the judge had no evidence to decide: on the Estimator track, the model as
    saved against the restored one unless each restoring call (evaluate(), predict() and
    the resumed train()) ran and its restore was compared on the probes. Each is evidence
    of what its restore brings back beyond the checkpoint's values, and each reason to
    stand down or fail there is the learner's processes' doing: no credit rests on it (a
    mistake only one of them shows must not hide behind an exception or a stand-down
    there)."""
    judged = observations.judged
    if observations.track != "estimator" or judged is None:
        return ()
    gaps = (judged.saved_output_gap, judged.evaluate_output_gap, judged.resume_output_gap)
    if any(observations.failed(stage) for stage in RESTORING) or None in gaps:
        return ("OUTPUTS_DIFFER_AFTER_RESTORE",)
    return ()
