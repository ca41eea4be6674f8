"""The Estimator track's two stage processes (train; restore: evaluate, predict, resume;
issue 13 point 1)
against the same work in one stage process ("all" runs the stages one after the other),
both sandboxed from the same warm runner, interleaved in the same run.

    python -m bench stages
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import Result, Timing

SUBMISSION = Path(__file__).resolve().parents[1] / "tests/submissions/estimator-serving/solution.py"


def run(quick: bool = False) -> list[Result]:
    from ckptlab.checker.runners.tracks import stages_of
    from ckptlab.checker.warm import run_isolated

    source = SUBMISSION.read_bytes()
    contenders = {"one process": None, "two stages": stages_of("estimator")}
    run_isolated("estimator", source, "solution.py", stages=contenders["two stages"])
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(2 if quick else 4):
        for name, stages in contenders.items():  # interleaved: a load change hits both
            start = time.perf_counter()
            outcome = run_isolated("estimator", source, "solution.py", stages=stages)
            samples[name].append(time.perf_counter() - start)
            if outcome.stopped or any(outcome.exits.values()):
                raise RuntimeError(f"{name}: {outcome.stopped or outcome.exits}")
    return [Result("estimator check of a correct model_fn, sandboxed", "time", "s",
                   Timing.of(samples["two stages"]), "the same stages in one process",
                   Timing.of(samples["one process"]), "",
                   notes="two processes forked from the warm runner, each loading the "
                         "submission afresh; evidence taken out between them")]
