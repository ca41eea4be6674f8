"""Numbers as text, one rule each, for every view (text, HTML, figures, widgets)."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["human_bytes", "human_count", "shape_text"]


def human_bytes(count: int) -> str:
    size = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def human_count(count: int) -> str:
    return f"{count:,}"


def shape_text(shape: Sequence[int | None] | None) -> str:
    """(3, 4), (4,) or (); an unknown dimension (None, or -1 in a spec) is '?', an
    unknown rank 'unknown'."""
    if shape is None:
        return "unknown"
    dims = ["?" if d is None or d == -1 else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"
