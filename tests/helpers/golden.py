"""Golden texts: measured values masked so the texts are the same on every machine."""

from __future__ import annotations

import re


def masked(text: str) -> str:
    """Mask measured values (they vary by CPU); counts and shapes stay exact."""
    text = re.sub(r"(up to |largest difference: )\d+(\.\d+)?(e[-+]?\d+)?", r"\1<number>",
                  text)
    return re.sub(r"\d+\.\d+(e-?\d+)?", "<number>", text)
