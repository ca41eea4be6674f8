"""Check in a fresh interpreter which heavy packages importing a module pulls in."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("tensorflow", "keras", "tf_keras", "h5py")


def heavy_imports_of(module: str, heavy: tuple[str, ...] = HEAVY) -> list[str]:
    """Heavy top-level packages loaded by `import module` in a new Python process."""
    code = f"import sys, json, {module}; print(json.dumps(sorted(sys.modules)))"
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                       text=True, check=True).stdout)
    return sorted({name.split(".")[0] for name in loaded} & set(heavy))
