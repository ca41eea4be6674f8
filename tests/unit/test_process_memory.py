"""The bench's memory of a kernel and the processes it started, read from /proc."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers.notebooks import descendants, peak_rss_mb, tree_rss_mb

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def test_a_started_process_and_its_child_count_for_the_starter():
    script = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', " \
             "'import time; time.sleep(30)']); time.sleep(30)"
    child = subprocess.Popen([sys.executable, "-c", script])
    try:
        for _ in range(200):  # until the grandchild exists (polls /proc, no guessed wait)
            found = descendants(os.getpid())
            if len(found) >= 2:
                break
            subprocess.run(["true"])
        assert child.pid in found and len(found) >= 2
        assert tree_rss_mb(os.getpid()) > peak_rss_mb(child.pid) > 0
    finally:
        for pid in descendants(child.pid):
            os.kill(pid, 9)
        child.kill()
        child.wait()


def test_an_ended_or_unknown_process_counts_zero():
    assert tree_rss_mb(None) == 0.0 and peak_rss_mb(2**22 + 12345) == 0.0
