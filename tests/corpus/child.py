"""The corpus confirmation's child process: load a case, run its track, stream results.

    python -m tests.corpus.child SUBMISSION.py RESULTS.jsonl TRACK

`confirm.py` runs it in the interpreter of the case's TensorFlow (the parity venv for
real tf.estimator 2.15), without a sandbox: corpus cases are ours, not a learner's.

Each stage appends one JSON line {"stage": ..., "obs": {...}} to RESULTS.jsonl (flushed),
so the parent keeps what was learned even if this process is killed or dies; the last
line is {"done": true}. The learner's prints go to this process's stdout, never there.
"""

from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path

from ckptlab.checker.runners.stages import Listening, Run
from ckptlab.checker.runners.tracks import prepare, run_track
from ckptlab.quiet import import_tensorflow


def main(argv: list[str]) -> int:
    import_tensorflow()  # before the learner's file: TensorFlow's chatter is not evidence
    source, results, track = Path(argv[0]), Path(argv[1]), argv[2]
    with results.open("a", encoding="utf-8") as out:

        def emit(stage: str, obs: dict) -> None:
            out.write(json.dumps({"stage": stage, "obs": obs}, default=str) + "\n")
            out.flush()

        out.write(json.dumps({"started": True}) + "\n")  # the checker itself is running
        out.flush()
        loader = Run(track, {str(source)}, emit)
        with Listening(loader):  # warnings at import (e.g. an Estimator without model_dir)
            loader.call("load", prepare, track)
            ok, namespace = loader.call("load", runpy.run_path, str(source),
                                        run_name="__submission__")
        if ok:
            obs = run_track(track, namespace, source.parent / "work", {str(source)}, emit)
            obs["log"] = list(dict.fromkeys([*loader.obs["log"], *obs.get("log", [])]))
            emit("finished", obs)
        out.write(json.dumps({"done": True}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
