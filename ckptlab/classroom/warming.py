"""Start a track's warm runner in the background, before the first check needs it."""

from __future__ import annotations

import contextlib
import threading

from ckptlab.checker.warm import warm_runner

__all__ = ["warm_up"]


def warm_up(track: str) -> threading.Thread:
    """TensorFlow loads in the warm runner while this process goes on (the first check
    waits for it). A runner that cannot start is not an error here: the check that needs
    it says why."""
    def start() -> None:
        with contextlib.suppress(Exception):
            warm_runner(track)

    thread = threading.Thread(target=start, name=f"ckptlab-warm-{track}", daemon=True)
    thread.start()
    return thread
