"""Typed observation records: what a check saw, as frozen dataclasses (version 1).

The checker's data path is runners -> observations -> judge -> diagnosers. Runners run
learner code and report what they saw as JSON (it crosses a process boundary); the judge
(ckptlab/checker/judge.py, runs no learner code) adds `Judged` facts from the checkpoints
on disk, read with ckptlab's own reader; diagnosers read only these records.

`Observations.from_json` is strict: a missing field, an unknown field or a value of the
wrong kind raises ObservationError, so a renamed key fails loudly instead of silently
switching a diagnoser off. Records hold JSON values only (no TensorFlow objects).
Bump OBSERVATIONS_VERSION when a field changes meaning; add fields with defaults.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Union

from ckptlab.errors import CkptlabError

__all__ = [
    "OBSERVATIONS_VERSION", "CheckpointCall", "EstimatorRun", "EvaluateProbe", "FlowPosition",
    "Judged", "LearnerError", "ModeTrace", "NotCompared", "ObjectState", "ObservationError",
    "Observations", "PredictRecord", "ProbeRecord",
    "ResumeProbe", "ResumeRecord", "RoundTrip", "SavedCheckpoint", "SavedVariable", "ServingRecord",
    "TrainRecord", "ValueGap",
]

OBSERVATIONS_VERSION = 1


class ObservationError(CkptlabError):
    """Observations that do not have the shape this version of ckptlab reads."""


# --- shared ---------------------------------------------------------------------------

@dataclass(frozen=True)
class LearnerError:
    """An exception raised by learner code, unwrapped to the op error that caused it."""

    stage: str
    type: str  # the exception class name
    message: str  # the op error's message when TensorFlow wrapped one ("Original error:")
    location: str = ""  # "file.py, line 3" or "cell [5], line 3" (source_location)
    op: str = ""  # the failing op's type (e.g. MatMul) when TensorFlow names one
    node: str = ""  # the failing node's name (e.g. hidden/MatMul)
    wrapper: str = ""  # the first line of the message that wrapped the cause


@dataclass(frozen=True)
class ValueGap:
    """A variable whose values differ between two moments (e.g. saved vs restored)."""

    name: str
    max_abs_diff: float | None = None  # None when the shapes differ
    before_shape: tuple[int, ...] = ()
    after_shape: tuple[int, ...] = ()


# --- Estimator track --------------------------------------------------------------------

@dataclass(frozen=True)
class ModeTrace:
    """Variables each mode's model_fn built (from the mode tracer), by mode string."""

    variables: dict[str, dict[str, tuple[int | None, ...]]]  # mode -> name -> shape
    missing_from_train: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # (mode, name in TRAIN, name in mode): one line of code, another auto-numbered name
    shifted: tuple[tuple[str, str, str], ...] = ()
    failed: dict[str, str] = field(default_factory=dict)  # mode -> error text
    update_ops: dict[str, int] = field(default_factory=dict)  # mode -> size of UPDATE_OPS


@dataclass(frozen=True)
class FlowPosition:
    """Where a trainable variable sits in a mode's dataflow (structure, no values)."""

    shape: tuple[int | None, ...]
    upstream: tuple[str, ...]
    downstream: tuple[str, ...]


@dataclass(frozen=True)
class TrainRecord:
    session_runs: int
    checkpoints: tuple[str, ...] = ()  # prefixes (names) in model_dir right after train()
    trainable: tuple[str, ...] = ()  # names of the trainable variables of the TRAIN graph
    # variables an op of the TRAIN graph writes (not their initializer, not a restore);
    # None: not reported
    assigned: tuple[str, ...] | None = None
    warm_start_from: str = ""  # relative path of the pretrained model_dir, if any
    # the session's values after its last step (the judge compares the last checkpoint)
    end_values: dict[str, tuple[float, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class ResumeRecord:
    session_runs: int
    # values the resumed session held before its first step (claimed by the runner)
    start_values: dict[str, tuple[float, ...]] = field(default_factory=dict)
    end_values: dict[str, tuple[float, ...]] = field(default_factory=dict)  # after its last step
    checkpoints: tuple[str, ...] = ()  # prefixes in model_dir right after the resume


@dataclass(frozen=True)
class PredictRecord:
    examples: int
    largest_gap: float | None  # two predict() calls on the learner's input_fn
    # the checker's fixed input predicted twice: in one session when the learner's two calls
    # agreed, else after two restores
    fixed_gap: float | None = None
    single_outputs: tuple[tuple[float, ...], ...] = ()  # probes predicted one at a time
    # the same probes predicted in one batch (the first rows of the checker's fixed batch)
    batched_outputs: tuple[tuple[float, ...], ...] = ()
    # the two predict() calls' outputs (flat values per example) on the learner's input and
    # on the checker's fixed input (its two runs, as for fixed_gap): the judge
    # computes largest_gap and fixed_gap from them
    outputs: tuple[tuple[tuple[float, ...], ...], ...] = ()
    fixed_outputs: tuple[tuple[tuple[float, ...], ...], ...] = ()
    probe_digest: str = ""  # which checker probes fixed_outputs are of (runners/probes)


@dataclass(frozen=True)
class ProbeRecord:
    """The model as saved (trace stage: the tracer's graphs with the values the training
    session held after its last step) run on the checker's probes."""

    digest: str  # which probes (the restore stage reports the digest of its own)
    outputs: tuple[tuple[float, ...], ...] = ()  # PREDICT graph, flat values per example
    # EVAL graph on the same probes, when its spec carries PREDICT's predictions
    eval_outputs: tuple[tuple[float, ...], ...] = ()
    # EVAL's loss on the probes and the checker's label probes ([[loss]]), and which labels
    eval_loss: tuple[tuple[float, ...], ...] | None = None
    labels_digest: str = ""
    loaded: tuple[str, ...] = ()  # the variables given the trained values, by name
    local: tuple[str, ...] = ()  # those of them that are local variables
    eval_failed: str = ""  # the exception that running the EVAL graph on the probes raised


@dataclass(frozen=True)
class EvaluateProbe:
    """The model evaluate() restored (EVAL graph, the values its session held after the
    restore) run twice on the checker's probes in the restore stage."""

    digest: str
    outputs: tuple[tuple[tuple[float, ...], ...], ...] = ()  # two runs, flat values per example
    loss: tuple[tuple[tuple[float, ...], ...], ...] = ()  # two runs, [[loss]] each
    labels_digest: str = ""


@dataclass(frozen=True)
class ResumeProbe:
    """The model the resumed train() restored (the values its session started from) run
    twice on the checker's probes in the predict stage, in a PREDICT graph built there
    (the judge also reads an "eval" record as an EVAL graph's loss and predictions)."""

    graph: str  # the mode of the graph: "eval" or "infer" (PREDICT)
    digest: str
    outputs: tuple[tuple[tuple[float, ...], ...], ...] = ()  # two runs, flat values per example
    loss: tuple[tuple[tuple[float, ...], ...], ...] = ()  # two runs, [[loss]] each (EVAL)
    labels_digest: str = ""


@dataclass(frozen=True)
class NotCompared:
    """Why outputs after a restore were not compared (a reason of checker/not_compared)."""

    where: str  # "restore" (any), "predict", "evaluate", "resume"
    reason: str
    detail: str = ""


@dataclass(frozen=True)
class ServingRecord:
    examples: int
    ok: bool
    graphs: int
    restores: int
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class EstimatorRun:
    model_dir: str  # relative to the check's scratch folder
    model_fn_kind: str = "function"  # or "tf.function" (a decorated model_fn)
    modes: ModeTrace | None = None
    restore_modes: ModeTrace | None = None
    dataflow: dict[str, dict[str, FlowPosition] | None] | None = None
    train: TrainRecord | None = None
    predict: PredictRecord | None = None
    serving: ServingRecord | None = None
    resume: ResumeRecord | None = None
    # stage ("evaluate", "predict") -> the values its session held at its first step, by
    # variable name: what it restored (the judge compares them with the checkpoint)
    restored: dict[str, dict[str, tuple[float, ...]]] = field(default_factory=dict)
    probe: ProbeRecord | None = None
    evaluate_probe: EvaluateProbe | None = None
    resume_probe: ResumeProbe | None = None
    not_compared: tuple[NotCompared, ...] = ()  # stand-downs the runners saw (the judge words)
    serves: bool = True  # the predict stage calls predict_many (the submission defines it)


# --- TF2 track ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ObjectState:
    """An object attached to a Checkpoint (or a Keras model) at the moment of a call."""

    type: str  # its class name
    variables: int  # how many variables it had then (0: not built yet)
    built: bool = True


@dataclass(frozen=True)
class CheckpointCall:
    """One call of a checkpoint API by learner code (tf.train.Checkpoint, Keras weights)."""

    api: str  # "Checkpoint.save", "Model.load_weights", ...
    path: str | None
    path_exists: bool | None = None
    returned: str | None = None
    raised: str | None = None
    checkpoint: int | None = None  # id of the Checkpoint object, to group calls
    children: dict[str, ObjectState] = field(default_factory=dict)  # attached objects
    model: ObjectState | None = None  # for Keras calls: the model's state


@dataclass(frozen=True)
class SavedVariable:
    path: str
    shape: tuple[int, ...]
    kind: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class SavedCheckpoint:
    path: str | None
    returned: str | None
    format: str | None  # "tf-checkpoint", "h5", "keras", "missing", "other"
    files: tuple[str, ...] = ()
    variables: tuple[SavedVariable, ...] = ()
    optimizer_iterations: int = 0


@dataclass(frozen=True)
class RoundTrip:
    """The TF2 round trip: what was saved, how it was restored, what came back."""

    input_shape: tuple[int, ...]
    save_calls: tuple[CheckpointCall, ...] = ()
    saved: SavedCheckpoint | None = None
    restore_calls: tuple[CheckpointCall, ...] = ()
    saved_variables: tuple[tuple[str, tuple[int, ...]], ...] = ()
    restored_variables: tuple[tuple[str, tuple[int, ...]], ...] = ()
    value_gaps: tuple[ValueGap, ...] = ()  # paired by identity (see `pairing`)
    pairing: str = "identity"  # "identity", or "position" (an explicit, reported fallback)
    unpaired_saved: tuple[str, ...] = ()
    unpaired_restored: tuple[str, ...] = ()
    output_diff: float | None = None  # restored vs saved model, on the checker's probe
    restore_side: tuple[SavedVariable, ...] = ()  # paths the restoring Checkpoint asks for
    optimizer_gaps: tuple[ValueGap, ...] = ()
    optimizer_iterations: int | None = None
    optimizer_types: tuple[str, str] = ("", "")  # saved, restored optimizer classes
    single_outputs: tuple[tuple[float, ...], ...] = ()  # saved model, probes one at a time
    repeat_gap: float | None = None  # saved model, the probe batch called twice: largest gap
    # outputs on the checker's probe batch, claimed by the save and the restore stage
    # (separate processes); the judge computes output_diff from them
    saved_outputs: tuple[tuple[float, ...], ...] = ()
    restored_outputs: tuple[tuple[float, ...], ...] = ()
    # tensors layers compute with that are no variables (runners/tf2.untracked_state), per
    # stage; the judge names those that differ after the restore in `unsaved_state`
    saved_state: dict[str, dict[str, Any]] = field(default_factory=dict)
    restored_state: dict[str, dict[str, Any]] = field(default_factory=dict)
    unsaved_state: tuple[str, ...] = ()


# --- judged facts ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Judged:
    """Facts the judge established itself from the checkpoints on disk (ckptlab's reader)."""

    checkpoints: tuple[str, ...] = ()  # prefixes found after training, oldest first
    latest: str | None = None
    global_step: int | None = None
    saved_shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    batch_norm_unchanged: tuple[str, ...] = ()
    batch_norm_total: int = 0
    never_updated: tuple[str, ...] = ()  # non-trainable state equal in first and last checkpoint
    overwritten_after_restore: tuple[ValueGap, ...] = ()  # resume started from other values
    warm_start_matched: tuple[str, ...] = ()  # variables equal to the pretrained checkpoint
    warm_start_candidates: int = 0
    notes: tuple[str, ...] = ()
    # claims of a complete run the judge found no evidence for (never a pass)
    unverified: tuple[str, ...] = ()
    # boundaries whose reported values the judge found equal to the checkpoint on disk
    verified: tuple[str, ...] = ()
    # claims the disk contradicts in a way no honest runner can produce (e.g. checkpoints
    # claimed that the model_dir does not hold): an error whatever else was found
    contradicted: tuple[str, ...] = ()
    # evaluate/predict sessions that held other values than the checkpoint they restored
    overwritten_in: dict[str, tuple[ValueGap, ...]] = field(default_factory=dict)
    # the model as saved vs restored by predict(), on the same checker probes (largest gap)
    saved_output_gap: float | None = None
    eval_predict_gap: float | None = None  # the saved model's EVAL vs PREDICT graph, probes
    # the saved model's EVAL graph vs the model evaluate() restored, on the same probes
    evaluate_output_gap: float | None = None
    # values evaluate()'s session held after its restore other than predict()'s session,
    # of variables no checkpoint holds (local ones, those a Saver leaves out)
    evaluate_state_differs: tuple[str, ...] = ()
    # the model as saved vs the model the resumed train() started from, on the same probes
    resume_output_gap: float | None = None
    # values the resumed session started from other than the trained session's at its end,
    # of variables the saved outputs read that no checkpoint holds
    resume_state_differs: tuple[str, ...] = ()
    # variables the saved model computed with that the last checkpoint does not hold
    unsaved_variables: tuple[str, ...] = ()


@dataclass(frozen=True)
class Observations:
    track: str
    version: int = OBSERVATIONS_VERSION
    stages: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    errors: tuple[LearnerError, ...] = ()
    log: tuple[str, ...] = ()  # TensorFlow warnings seen while learner code ran
    estimator: EstimatorRun | None = None
    tf2: RoundTrip | None = None
    judged: Judged | None = None

    def to_json(self) -> dict[str, Any]:
        return _to_json(self)

    @classmethod
    def from_json(cls, data: Any) -> Observations:
        if isinstance(data, dict) and data.get("version", OBSERVATIONS_VERSION) \
                != OBSERVATIONS_VERSION:
            raise ObservationError(f"observations version {data.get('version')}, this ckptlab "
                                   f"reads {OBSERVATIONS_VERSION}")
        return _build(cls, data, "observations")

    def failed(self, stage: str) -> bool:
        return any(error.stage == stage for error in self.errors)


# --- strict JSON <-> records ----------------------------------------------------------------

def _to_json(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _to_json(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_to_json(v) for v in value]
    return value


def _build(kind: Any, data: Any, where: str) -> Any:
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind is Any:
        return data
    if origin in (Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        errors = []
        for option in options:
            try:
                return _build(option, data, where)
            except ObservationError as error:
                errors.append(str(error))
        raise ObservationError("; ".join(errors))
    if dataclasses.is_dataclass(kind):
        if not isinstance(data, dict):
            raise ObservationError(f"{where}: expected an object, got {type(data).__name__}")
        hints = typing.get_type_hints(kind)
        names = {f.name for f in dataclasses.fields(kind)}
        unknown = set(data) - names
        if unknown:
            raise ObservationError(f"{where}: unknown field(s) {sorted(unknown)}")
        values = {}
        for f in dataclasses.fields(kind):
            if f.name in data:
                values[f.name] = _build(hints[f.name], data[f.name], f"{where}.{f.name}")
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ObservationError(f"{where}: missing field {f.name!r}")
        return kind(**values)
    if origin is tuple:
        if not isinstance(data, (list, tuple)):
            raise ObservationError(f"{where}: expected a list, got {type(data).__name__}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_build(args[0], item, f"{where}[{n}]") for n, item in enumerate(data))
        if len(args) != len(data):
            raise ObservationError(f"{where}: expected {len(args)} items, got {len(data)}")
        return tuple(_build(a, item, f"{where}[{n}]") for n, (a, item)
                     in enumerate(zip(args, data, strict=True)))
    if origin is dict:
        if not isinstance(data, dict):
            raise ObservationError(f"{where}: expected an object, got {type(data).__name__}")
        return {str(k): _build(args[1], v, f"{where}[{k!r}]") for k, v in data.items()}
    if kind is float:
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            raise ObservationError(f"{where}: expected a number, got {data!r}")
        return float(data)
    if kind in (int, str, bool):
        if not isinstance(data, kind) or (kind is int and isinstance(data, bool)):
            raise ObservationError(f"{where}: expected {kind.__name__}, got {data!r}")
        return data
    if kind is type(None):
        if data is not None:
            raise ObservationError(f"{where}: expected null, got {data!r}")
        return None
    raise ObservationError(f"{where}: cannot read a {kind!r}")
