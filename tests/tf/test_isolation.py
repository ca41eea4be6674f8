"""The sandbox's filesystem and users, attempted for real with bubblewrap.

A checkout (or a Python) under the host's /tmp stays visible inside, although the sandbox
mounts a private tmpfs on /tmp.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ckptlab.checker.isolation import support
from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[2]

INSIDE_CHECKOUT = """
import sys, tempfile
from pathlib import Path
from ckptlab.checker import isolation
with tempfile.TemporaryDirectory() as tmp:
    scratch = isolation._prepare_scratch(Path(tmp), userns=False)
    probe = "import ckptlab.checker.isolation as i, os; print(i.__file__, os.listdir('/tmp'))"
    args = [*isolation._bwrap_args(scratch, userns=False), sys.executable, "-c", probe]
    done = __import__("subprocess").run(args, capture_output=True, text=True, timeout=60,
                                        env={"PYTHONPATH": sys.argv[1]})
    print(done.returncode, done.stdout.strip(), done.stderr.strip()[-500:])
"""


@pytest.fixture(autouse=True)
def sandboxed():
    if not support().isolated:
        skip_or_fail(f"checks here are {support().describe()}", "apt-get install bubblewrap")


def test_a_checkout_under_tmp_is_visible_inside_the_sandbox(tmp_path):
    checkout = tmp_path / "checkout"  # pytest's tmp_path lives under /tmp
    assert str(checkout).startswith("/tmp/")
    shutil.copytree(ROOT / "ckptlab", checkout / "ckptlab",
                    ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run([sys.executable, "-c", INSIDE_CHECKOUT, str(checkout)],
                          capture_output=True, text=True, timeout=120, cwd="/",
                          env={**os.environ, "PYTHONPATH": str(checkout)})
    assert done.returncode == 0, done.stderr[-2000:]
    code, found, *rest = done.stdout.split(" ", 2)
    assert code == "0", done.stdout
    assert found == str(checkout / "ckptlab" / "checker" / "isolation.py"), done.stdout
    # and /tmp inside is still the sandbox's own, empty tmpfs apart from the checkout's path
    assert rest[0].startswith(f"['{tmp_path.relative_to('/tmp').parts[0]}']"), done.stdout
