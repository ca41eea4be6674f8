"""CheckpointExplorer: browse a checkpoint (or every checkpoint of a model_dir).

One FigureWidget shows, by mode, where the parameters live (treemap), the selected
variable's values (histogram / heatmap) at the checkpoint picked by the slider, or a diff
of two checkpoints. Every UI action is a public method, so tests drive it without a browser.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import plotly.graph_objects as go

from ckptlab.checkpoint import diff_checkpoints, inspect_checkpoint, read_value
from ckptlab.checkpoint.records import CheckpointIndex
from ckptlab.render.figures_checkpoint import diff_figure, sizes_figure, values_figure
from ckptlab.render.html import diff_html, index_html
from ckptlab.widgets.common import StaticFallback, show_figure

__all__ = ["CheckpointExplorer"]

MODES = ("sizes", "values", "diff")


class CheckpointExplorer(StaticFallback, widgets.VBox):
    """Explore the checkpoint(s) at `path`: a prefix, a model_dir or a .weights.h5 file."""

    def __init__(self, path: Any, **kwargs: Any):
        latest = inspect_checkpoint(path)
        self.checkpoints = tuple(reversed(latest.all_checkpoints))  # oldest first
        self._indexes: dict[str, CheckpointIndex] = {latest.path: latest}
        self.index = latest
        self.selected: str | None = None
        self.mode = "sizes"
        self.figure = go.FigureWidget()
        self._filter = widgets.Text(placeholder="filter variables", description="filter")
        self._table = widgets.Select(options=[], rows=10, layout={"width": "100%"},
                                     description="variable")
        self._slider = widgets.IntSlider(
            value=len(self.checkpoints) - 1, min=0, max=max(len(self.checkpoints) - 1, 0),
            description="checkpoint", disabled=len(self.checkpoints) < 2,
            continuous_update=False)
        self._modes = widgets.ToggleButtons(options=MODES, value="sizes")
        self._header = widgets.HTML()
        self._filter.observe(lambda c: self.set_filter(c["new"]), names="value")
        self._table.observe(lambda c: c["new"] and self.select_variable(c["new"]),
                            names="value")
        self._slider.observe(lambda c: self.set_checkpoint(c["new"]), names="value")
        self._modes.observe(lambda c: self._show(c["new"]), names="value")
        super().__init__([self._header, self._modes, self._slider, self._filter,
                          self._table, self.figure], **kwargs)
        self.set_filter("")
        self._show("sizes")

    # -- public actions -------------------------------------------------------------
    def set_filter(self, text: str) -> list[str]:
        """Keep the variables whose key contains `text`; returns them."""
        self._filter.value = text
        keys = [v.key for v in self.index.variables if text.lower() in v.key.lower()]
        self._table.options = keys
        return keys

    def select_variable(self, key: str) -> None:
        """Show this variable's values (key or object path) at the current checkpoint."""
        self.selected = self.index.variable(key).key
        if self._table.value != self.selected and self.selected in self._table.options:
            self._table.value = self.selected
        self._show("values")

    def set_checkpoint(self, which: int | str) -> None:
        """Pick a checkpoint by position (0 = oldest) or prefix; keeps the selection."""
        position = which if isinstance(which, int) else self.checkpoints.index(str(which))
        prefix = self.checkpoints[position]
        if prefix not in self._indexes:
            self._indexes[prefix] = inspect_checkpoint(prefix)
        self.index = self._indexes[prefix]
        if self._slider.value != position:
            self._slider.value = position
        self._show(self.mode)

    def set_step(self, step: int) -> None:
        """Pick the checkpoint saved at `step`."""
        steps = [self._index_of(p).step for p in self.checkpoints]
        self.set_checkpoint(steps.index(step))

    def show_sizes(self) -> None:
        self._show("sizes")

    def show_diff(self, a: int | str = 0, b: int | str | None = None) -> None:
        """Diff two checkpoints (positions or prefixes; default oldest vs current)."""
        first = self.checkpoints[a] if isinstance(a, int) else str(a)
        second = self.index.path if b is None else (self.checkpoints[b] if isinstance(b, int)
                                                    else str(b))
        self.diff = diff_checkpoints(self._index_of(first), self._index_of(second))
        self._show("diff")

    # -- rendering --------------------------------------------------------------------
    def _index_of(self, prefix: str) -> CheckpointIndex:
        if prefix not in self._indexes:
            self._indexes[prefix] = inspect_checkpoint(prefix)
        return self._indexes[prefix]

    def _show(self, mode: str) -> None:
        if mode == "values" and self.selected is None:
            mode = "sizes"
        if mode == "diff" and not hasattr(self, "diff"):
            self.diff = diff_checkpoints(self._index_of(self.checkpoints[0]), self.index)
        self.mode = mode
        if self._modes.value != mode:
            self._modes.value = mode
        self._header.value = (f"<b>{self.index.path}</b> &nbsp; {self.index.format}, step "
                              f"{self.index.step}, {len(self.index)} variables")
        if mode == "sizes":
            figure = sizes_figure(self.index, self.selected)
        elif mode == "values":
            figure = values_figure(self.selected, read_value(self.index, self.selected),
                                   self.index.step)
        else:
            figure = diff_figure(self.diff)
        show_figure(self.figure, figure)

    def _repr_html_(self) -> str:
        if self.mode == "diff":
            return diff_html(self.diff)
        return index_html(self.index, self._filter.value)
