"""`Hints`: an exercise's hints, revealed one at a time.

A "Show next hint" button (a real <button>: Tab reaches it, Enter or Space presses it)
backed by the public method `reveal_next()`, so tests and notebooks drive the same code.
Pages that cannot run widgets (GitHub, nbviewer, exported HTML) get `_repr_html_()`: one
closed <details> per hint, opened with a click or the keyboard. No plotly, no TensorFlow.
"""

from __future__ import annotations

import re
from contextlib import suppress
from html import escape
from typing import Any

import ipywidgets as widgets

from ckptlab.exercises import Exercise, get_exercise

__all__ = ["Hints"]


def _inline_html(text: str) -> str:
    """Escaped text with `backticks` shown as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text))


class Hints(widgets.VBox):
    """Hints("exercise-id") or Hints(exercise): shows nothing until asked, then one more
    hint per click."""

    def __init__(self, exercise: str | Exercise, **kwargs: Any):
        self.exercise = get_exercise(exercise) if isinstance(exercise, str) else exercise
        self.hints = self.exercise.hints
        self.shown = widgets.HTML()
        self.button = widgets.Button(icon="lightbulb-o", button_style="info",
                                     layout={"width": "fit-content"})
        self.button.on_click(lambda _: self.reveal_next())
        super().__init__([self.button, self.shown], **kwargs)
        self.add_class("ckptlab-hints")
        self._revealed = 0
        self._render()

    # ----- public actions -------------------------------------------------------------
    @property
    def revealed(self) -> int:
        """How many hints are shown."""
        return self._revealed

    def reveal_next(self) -> str | None:
        """Show one more hint and return it; None when every hint is already shown."""
        if self._revealed >= len(self.hints):
            return None
        self._revealed += 1
        self._render()
        return self.hints[self._revealed - 1]

    def hide_all(self) -> None:
        """Back to no hint shown."""
        self._revealed = 0
        self._render()

    def _repr_html_(self) -> str:
        items = "".join(
            f'<details class="ckptlab-hint"><summary>Hint {number} of {len(self.hints)}'
            f"</summary><p>{_inline_html(hint)}</p></details>"
            for number, hint in enumerate(self.hints, start=1))
        return (f'<div class="ckptlab-hints"><p><b>Hints for {escape(self.exercise.title)}'
                f"</b> (open one at a time)</p>{items}</div>")

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs)
        with suppress(Exception):  # a broken fallback never hides the live widget
            bundle["text/html"] = self._repr_html_()
        return bundle

    # ----- internals -------------------------------------------------------------------
    def _render(self) -> None:
        total, done = len(self.hints), self._revealed
        self.shown.value = "".join(
            f'<p class="ckptlab-hint"><b>Hint {n}:</b> {_inline_html(hint)}</p>'
            for n, hint in enumerate(self.hints[:done], start=1))
        self.button.disabled = done >= total
        if not total:
            self.button.description = "No hints for this exercise"
        elif done >= total:
            self.button.description = f"All {total} hints shown"
        else:
            self.button.description = f"Show next hint ({done + 1} of {total})"
        self.button.tooltip = self.button.description
