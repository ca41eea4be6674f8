"""The shared visual language of ckptlab views: one colour AND one text label per state,
so nothing is told by colour alone, and one font. Plain data: HTML, plotly figures and
widgets all read it."""

from __future__ import annotations

from ckptlab.mode_names import EVAL, LABELS, PREDICT, TRAIN

__all__ = [
    "FONT_FAMILY",
    "FONT_SIZE",
    "KIND_LOOK",
    "LANE_LOOK",
    "MODE_LOOK",
    "SEVERITY_LOOK",
    "STATE_LOOK",
    "VERDICT_LOOK",
    "badge_html",
    "look",
]

FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
FONT_SIZE = 13

# restore states -> (colour, label)
STATE_LOOK: dict[str, tuple[str, str]] = {
    "matched": ("#2e7d32", "matched"),
    "missing": ("#c62828", "missing from checkpoint"),
    "unused": ("#9e9e9e", "unused in checkpoint"),
    "mismatch": ("#ef6c00", "shape/dtype mismatch"),
    "added": ("#1565c0", "added"),
    "removed": ("#6a1b9a", "removed"),
    "changed": ("#ef6c00", "changed"),
    "unchanged": ("#9e9e9e", "unchanged"),
    "swapped": ("#ad1457", "silently swapped (name shifted)"),
}

# checker findings -> (colour, label)
SEVERITY_LOOK: dict[str, tuple[str, str]] = {
    "error": ("#c62828", "error"), "warning": ("#8a6100", "warning"), "info": ("#1565c0", "info"),
}

# a check report's verdict -> (colour, the word every view shows: text, HTML, widget)
VERDICT_LOOK: dict[str, tuple[str, str]] = {
    "pass": ("#2e7d32", "PASS"), "fail": ("#c62828", "FAIL"),
    "error": ("#8a6100", "COULD NOT CHECK"), "not_answered": ("#555555", "NOT ANSWERED"),
}

# model_fn modes (ModeExplorer) -> (colour, label)
MODE_LOOK: dict[str, tuple[str, str]] = {
    TRAIN: ("#0072B2", LABELS[TRAIN]), EVAL: ("#E69F00", LABELS[EVAL]),
    PREDICT: ("#009E73", LABELS[PREDICT]),
}

# checkpoint variable kinds (ckptlab.scopes.KINDS) -> (colour, label)
KIND_LOOK: dict[str, tuple[str, str]] = {
    "weight": ("#1f77b4", "model weight"),
    "optimizer": ("#ff7f0e", "optimizer state"),
    "step": ("#2ca02c", "step counter"),
    "other": ("#7f7f7f", "other"),
}

# Estimator lifecycle lanes (LifecycleTimeline), top to bottom -> (colour, label);
# colour-blind-safe (Okabe-Ito), and each lane also has its own marker symbol
LANE_LOOK: dict[str, tuple[str, str]] = {
    "call": ("#555555", "API call"), "input_fn": ("#56B4E9", "input_fn call"),
    "model_fn": ("#0072B2", "model_fn call"), "graph": ("#CC79A7", "graph built"),
    "session": ("#009E73", "session"), "restore": ("#D55E00", "restore"),
    "save": ("#E69F00", "save"), "warning": ("#7a6500", "warning / log"),
}


def look(name: str) -> tuple[str, str]:
    """(colour, label) of a state or kind; grey and the name itself when unknown."""
    return STATE_LOOK.get(name) or KIND_LOOK.get(name) or ("#7f7f7f", name)


def badge_html(name: str) -> str:
    """A coloured swatch followed by the text label (readable without colour)."""
    colour, label = look(name)
    return (f'<span style="display:inline-block;width:9px;height:9px;background:{colour};'
            f'margin-right:4px"></span>{label}')
