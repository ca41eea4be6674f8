"""CheckpointExplorer: browse a checkpoint (or every checkpoint of a model_dir).

A tree of scopes (name-based) or objects (object-based) with totals per subtree, a
filter, a step slider and ONE FigureWidget that shows, by mode, where the parameters
live (treemap), the selected variable's values at the chosen step with its mean and std
through training below, or a diff of two checkpoints. Every UI action is a public method,
so tests and notebooks drive it without a browser.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from ckptlab.checkpoint import diff_checkpoints, inspect_checkpoint, read_value
from ckptlab.checkpoint.history import VariablePoint, variable_history
from ckptlab.checkpoint.records import CheckpointIndex
from ckptlab.render.checkpoint import diff_html, index_html
from ckptlab.render.figures.checkpoint import diff_figure, sizes_figure, values_figure
from ckptlab.render.scope_tree import VARIABLE
from ckptlab.render.units import human_bytes, shape_text
from ckptlab.scopes import ScopeNode, build_tree, step_of_prefix
from ckptlab.widgets.common import StaticFallback, show_figure
from ckptlab.widgets.figure import FigureWidget
from ckptlab.widgets.scope_tree import ScopeTree

__all__ = ["CheckpointExplorer"]

MODES = ("sizes", "values", "diff")


class CheckpointExplorer(StaticFallback, widgets.VBox):
    """Explore the checkpoint(s) at `path`: a prefix, a model_dir or a .weights.h5 file."""

    def __init__(self, path: Any, **kwargs: Any):
        latest = inspect_checkpoint(path)
        self.checkpoints = tuple(reversed(latest.all_checkpoints))  # oldest first
        self._indexes: dict[str, CheckpointIndex] = {latest.path: latest}
        self._histories: dict[str, tuple[VariablePoint, ...]] = {}
        self.index = latest
        self.selected: str | None = None
        self.scope = ""
        self.mode = "sizes"
        self.figure = FigureWidget()
        self._filter = widgets.Text(placeholder="filter variables", description="filter")
        self.tree = ScopeTree(self._picked, leaf=self._leaf_text)
        self._slider = widgets.SelectionSlider(
            options=[(self._step_label(p, i), i) for i, p in enumerate(self.checkpoints)],
            value=len(self.checkpoints) - 1, description="step",
            disabled=len(self.checkpoints) < 2, continuous_update=False)
        self._modes = widgets.ToggleButtons(options=MODES, value="sizes")
        self._header = widgets.HTML()
        self._filter.observe(lambda c: self.set_filter(c["new"]), names="value")
        self._slider.observe(lambda c: self.set_checkpoint(c["new"]), names="value")
        self._modes.observe(lambda c: self._show(c["new"]), names="value")
        super().__init__([self._header, self._modes, self._slider, self._filter, self.tree,
                          self.figure], **kwargs)
        self.add_class("ckptlab-checkpoint-explorer")
        self.set_filter("")
        self._show("sizes")

    # -- public actions -------------------------------------------------------------
    def set_filter(self, text: str) -> list[str]:
        """Keep the variables whose key contains `text` (tree and totals); returns them."""
        self._filter.value = text
        shown = [v for v in self.index.variables if text.lower() in v.key.lower()]
        self.tree.show(build_tree((v.path, v.key, v.elements, v.nbytes) for v in shown),
                       open_all=bool(text))
        if self.selected:
            self.tree.reveal(self.selected)
        return [v.key for v in shown]

    def select_variable(self, key: str) -> None:
        """Show this variable's values (key or object path) at the current step."""
        self.selected = self.index.variable(key).key
        self.tree.reveal(self.selected)
        self._show("values")

    def select_scope(self, path: str) -> None:
        """Zoom the treemap into this scope or object ('' for everything)."""
        self.scope = path
        self._show("sizes")

    def set_checkpoint(self, which: int | str) -> None:
        """Pick a checkpoint by position (0 = oldest) or prefix; keeps the selection."""
        position = which if isinstance(which, int) else self.checkpoints.index(str(which))
        self.index = self._index_of(self.checkpoints[position])
        if self._slider.value != position:
            self._slider.value = position
        if self.mode == "diff":  # the diff follows the slider: what led to this checkpoint
            self.diff = self._diff_to(position)
        self.set_filter(self._filter.value)
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

    def history(self, key: str | None = None) -> tuple[VariablePoint, ...]:
        """Mean, std and norm of a variable (default: the selected one) in every checkpoint."""
        key = self.index.variable(key).key if key else self.selected
        if key is None:
            return ()
        if key not in self._histories:
            self._histories[key] = variable_history(
                (self._index_of(p) for p in self.checkpoints), key)
        return self._histories[key]

    # -- rendering --------------------------------------------------------------------
    @staticmethod
    def _step_label(prefix: str, position: int) -> str:
        step = step_of_prefix(prefix)
        return str(step) if step is not None else f"#{position}"

    def _leaf_text(self, node: ScopeNode) -> str:
        v = self.index.variable(node.key)
        return f"{shape_text(v.shape)} {v.dtype} {human_bytes(v.nbytes)} [{v.kind}]"

    def _picked(self, kind: str, path: str) -> None:
        (self.select_variable if kind == VARIABLE else self.select_scope)(path)

    def _index_of(self, prefix: str) -> CheckpointIndex:
        if prefix not in self._indexes:
            self._indexes[prefix] = inspect_checkpoint(prefix)
        return self._indexes[prefix]

    def _diff_to(self, position: int):
        """The checkpoint at `position` against the one before it (the first one against
        the next), so the diff never compares a checkpoint with itself."""
        last = len(self.checkpoints) - 1
        a, b = (position - 1, position) if position > 0 else (0, min(1, last))
        return diff_checkpoints(self._index_of(self.checkpoints[a]),
                                self._index_of(self.checkpoints[b]))

    def _show(self, mode: str) -> None:
        if mode == "values" and (self.selected is None or self.selected not in self.index):
            mode = "sizes"
        if mode == "diff" and not hasattr(self, "diff"):
            self.diff = diff_checkpoints(self._index_of(self.checkpoints[0]), self.index)
        self.mode = mode
        if self._modes.value != mode:
            self._modes.value = mode
        self._header.value = (f"<b>{self.index.path}</b> &nbsp; {self.index.format}, step "
                              f"{self.index.step}, {len(self.index)} variables")
        if mode == "sizes":
            figure = sizes_figure(self.index, self.selected, self.scope)
        elif mode == "values":
            figure = values_figure(self.selected, read_value(self.index, self.selected),
                                   self.index.step, self.history())
        else:
            figure = diff_figure(self.diff)
        show_figure(self.figure, figure)

    def _repr_html_(self) -> str:
        if self.mode == "diff":
            return diff_html(self.diff)
        return index_html(self.index, self._filter.value, self.selected)
