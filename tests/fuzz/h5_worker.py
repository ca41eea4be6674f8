"""Worker for the fuzz harness: read `.weights.h5` inputs named on stdin, one JSON per line.

HDF5 is C code that can abort its process on a crafted file, so these inputs are read
here; the harness restarts the worker and counts a crash when it dies. The bounds are
the harness's (run_in_process): time, address space, peak resident memory.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

from tests.fuzz.harness import run_in_process


def main() -> int:
    import h5py  # noqa: F401 - loaded once, before the limits

    from tests.fuzz.harness import read_like_the_commands

    read_like_the_commands(str(Path(__file__).parent / "corpus" / "keras_h5" / "tiny.weights.h5"))
    for line in sys.stdin:
        path = Path(json.loads(line)["path"])
        outcome = run_in_process(path.parent, str(path))
        print(json.dumps(asdict(outcome)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
