"""One exception hierarchy for everything ckptlab reports to a person.

Every error says what happened, why it matters when that is not obvious, how to fix
it, and ends with the value that was received (the Keras 3 message style).
"""

from __future__ import annotations

__all__ = [
    "CheckpointError",
    "CheckpointNotFoundError",
    "CkptlabError",
    "CorruptCheckpointError",
    "NotACheckpointError",
    "SetupError",
    "UsageError",
]


class CkptlabError(Exception):
    """Root of ckptlab's errors; the message is plain text for a learner."""

    def __init__(self, what: str, *, fix: str = "", why: str = "", received: object = None):
        self.what = what
        self.fix = fix
        self.why = why
        self.received = received
        super().__init__(self.render())

    def render(self) -> str:
        lines = [self.what]
        if self.why:
            lines.append(f"Why: {self.why}")
        if self.fix:
            lines.append(f"Fix: {self.fix}")
        if self.received is not None:
            lines.append(f"Received: {self.received!r}")
        return "\n".join(lines)

    def _render_traceback_(self) -> list[str]:
        """What IPython shows for this error in a notebook: the message, no traceback
        (ckptlab's errors are about the learner's files or arguments, not about code)."""
        return [f"{type(self).__name__}: {self.what}", *self.render().splitlines()[1:]]


class UsageError(CkptlabError):
    """A command or function was called with arguments that cannot work."""


class SetupError(CkptlabError):
    """The environment is missing something ckptlab needs (a package, a browser...)."""


class CheckpointError(CkptlabError):
    """A checkpoint could not be read."""


class CheckpointNotFoundError(CheckpointError):
    """Nothing exists at the given path, or no checkpoint is in it."""


class NotACheckpointError(CheckpointError):
    """The path exists but holds no TensorFlow or Keras checkpoint."""


class CorruptCheckpointError(CheckpointError):
    """Checkpoint files exist but are truncated, damaged or unreadable."""
