"""What the real tf.estimator 2.15 did, recorded: so a tutorial can show both sides.

ckptlab's Estimator is an engine of its own (tf.estimator is gone since TensorFlow 2.16).
`recorded_2_15.json` holds transcripts of the real tf.estimator 2.15 (TensorFlow 2.15.1,
tensorflow-estimator 2.15.0) running parity scenarios (tests/parity/scenarios.py): per
API call, each model_fn call with its mode and graph, the checkpoints restored and saved,
and how the call ended. `make parity` re-runs the real side and fails when a transcript
here differs from it (tests/parity/test_recorded.py); regenerate with
`python -m tests.parity.record_transcripts`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Transcript", "real_2_15"]

FILE = "recorded_2_15.json"


@dataclass(frozen=True)
class Transcript:
    scenario: str
    calls: tuple[dict, ...]  # per API call: api, model_fn [{mode, graph}], restored, saved
    error: str | None
    logs: tuple[str, ...]

    @property
    def model_fn_calls(self) -> int:
        return sum(len(call["model_fn"]) for call in self.calls)

    @property
    def graphs(self) -> int:
        return len({(c["estimator"], m["graph"]) for c in self.calls for m in c["model_fn"]})

    @property
    def restores(self) -> int:
        return sum(len(call["restored"]) for call in self.calls)

    def error_line(self, containing: str = "") -> str:
        """The error's first line (that contains `containing`), '' without an error."""
        lines = [line for line in (self.error or "").splitlines() if containing in line]
        return lines[0].strip() if lines else ""

    def __str__(self) -> str:
        apis = ", ".join(dict.fromkeys(call["api"] for call in self.calls))
        return (f"{len(self.calls)} call{'s' * (len(self.calls) != 1)} ({apis}): "
                f"{self.model_fn_calls} model_fn call{'s' * (self.model_fn_calls != 1)} in "
                f"{self.graphs} graph{'s' * (self.graphs != 1)}, {self.restores} "
                f"restore{'s' * (self.restores != 1)}")


@cache
def _all() -> dict:
    return json.loads(resources.files("ckptlab.estimator").joinpath(FILE).read_text())


def real_2_15(scenario: str) -> Transcript:
    """The real tf.estimator 2.15's transcript of a parity scenario."""
    data = _all()
    if scenario not in data:
        from ckptlab.errors import UsageError

        raise UsageError(f"No recorded scenario {scenario!r}.", fix=f"One of {sorted(data)}.",
                         received=scenario)
    item = data[scenario]
    return Transcript(scenario, tuple(item["calls"]), item["error"], tuple(item["logs"]))
