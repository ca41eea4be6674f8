"""`ScopeExplorer`: a model's variables as a tree, side by side with a checkpoint's keys.

A thin view over a dry-run restore (`ckptlab.match_restore`): each variable is
matched, missing, shape/dtype mismatch or silently swapped, each checkpoint key used or
unused, every state shown with a colour AND a text label, and for each variable the key it
will be restored from. The target is a graph's variables, a model_fn in one mode
(`model_fn=`, `mode=`), a Keras model or a tf.Module. Every control is a public method.
"""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as widgets

from ckptlab.errors import UsageError
from ckptlab.render.figures.scopes import restore_treemap
from ckptlab.render.palette import badge_html
from ckptlab.render.scopes import (
    STATES,
    ScopeRow,
    checkpoint_rows,
    notes_html,
    scope_explorer_html,
    state_counts_html,
    target_rows,
    tree_html,
)
from ckptlab.widgets.common import StaticFallback, show_figure
from ckptlab.widgets.figure import FigureWidget

__all__ = ["ScopeExplorer"]


class ScopeExplorer(StaticFallback, widgets.VBox):
    """ScopeExplorer(checkpoint, target) or ScopeExplorer(checkpoint, model_fn=..., mode=...).

    `checkpoint`: a prefix, a model_dir, a file, or a CheckpointIndex. Use `from_report`
    to show a MatchReport you already have.
    """

    def __init__(self, checkpoint: Any, target: Any = None, **match_options: Any):
        from ckptlab.checkpoint import inspect_checkpoint
        from ckptlab.trace.restore_target import match_restore  # model_fn=... needs the tracer

        index = checkpoint if hasattr(checkpoint, "variables") else inspect_checkpoint(
            checkpoint)
        self._setup(match_restore(index, target, **match_options), index)

    @classmethod
    def from_report(cls, report: Any, index: Any) -> ScopeExplorer:
        """From a MatchReport and the CheckpointIndex it was matched against."""
        explorer = cls.__new__(cls)
        explorer._setup(report, index)
        return explorer

    def _setup(self, report: Any, index: Any) -> None:
        self.report, self.index = report, index
        self.model_rows = target_rows(report)
        self.checkpoint_rows = checkpoint_rows(report, index)
        self.header = widgets.HTML()
        self.state_picker = widgets.ToggleButtons(
            options=[("all", "all")] + [(state, state) for state in STATES],
            tooltips=["every variable"] + [f"only {state}" for state in STATES])
        self.variable_picker = widgets.Dropdown(description="variable", options=[""])
        self.model_pane = widgets.HTML(layout={"width": "50%", "overflow": "hidden"})
        self.checkpoint_pane = widgets.HTML(layout={"width": "50%", "overflow": "hidden"})
        self.detail = widgets.HTML()
        self.figure = FigureWidget()
        self.state_picker.observe(lambda _: self._render(), names="value")
        self.variable_picker.observe(lambda _: self._render(), names="value")
        super().__init__([self.header, self.state_picker, self.variable_picker,
                          widgets.HBox([self.model_pane, self.checkpoint_pane]), self.detail,
                          self.figure])
        self.add_class("ckptlab-scope-explorer")
        self.header.value = (f"<b>Dry-run restore</b> of <code>{escape(report.checkpoint)}</code>"
                             f" by {escape(report.by)}: {state_counts_html(self.model_rows)}"
                             f"{notes_html(report.notes)}")
        self._render()

    # ----- public actions -------------------------------------------------------------
    def show_state(self, state: str) -> None:
        """Show only variables in `state` (matched, swapped, mismatch, missing, unused) or
        'all'."""
        if state not in ("all", *STATES):
            raise UsageError("Unknown state.", fix=f"Use 'all' or one of {STATES}.",
                             received=state)
        self.state_picker.value = state

    def select_variable(self, name: str) -> None:
        """Highlight a model variable (or checkpoint path) and explain its restore."""
        if name not in self.variable_picker.options:
            raise UsageError(f"No variable {name!r} in the view.",
                             fix="Pick one of the names shown (set show_state('all') to "
                                 "see every one).", received=name)
        self.variable_picker.value = name

    def key_of(self, name: str) -> str:
        """The checkpoint key the model variable `name` will be restored from ('' if none)."""
        return next((row.key for row in self.model_rows if row.name == name), "")

    def _repr_html_(self) -> str:
        return scope_explorer_html(self.model_rows, self.checkpoint_rows,
                                   f"Dry-run restore of {self.report.checkpoint}",
                                   self.report.notes)

    # ----- internals -------------------------------------------------------------------
    def _visible(self, rows: list[ScopeRow]) -> list[ScopeRow]:
        state = self.state_picker.value
        return rows if state == "all" else [row for row in rows if row.state == state]

    def _render(self) -> None:
        models, stored = self._visible(self.model_rows), self._visible(self.checkpoint_rows)
        names = [row.name for row in models] + [row.name for row in stored
                                                if row.name not in {m.name for m in models}]
        if list(self.variable_picker.options) != ["", *names]:
            keep = self.variable_picker.value if self.variable_picker.value in names else ""
            self.variable_picker.options = ["", *names]
            self.variable_picker.value = keep
        selected = self.variable_picker.value
        self.model_pane.value = tree_html("model variables", models, selected, show_key=True)
        self.checkpoint_pane.value = tree_html("checkpoint keys", stored, selected)
        self.detail.value = self._detail_html(selected)
        model_selected = selected if any(r.name == selected for r in models) else ""
        show_figure(self.figure, restore_treemap(models, stored, model_selected))

    def _detail_html(self, selected: str) -> str:
        if not selected:
            return "Pick a variable to see where its value comes from."
        rows = [("model", r) for r in self.model_rows if r.name == selected] + \
               [("checkpoint", r) for r in self.checkpoint_rows if r.name == selected]
        items = "".join(f"<li>{side}: {badge_html(row.state)}: {escape(row.detail)}</li>"
                        for side, row in rows)
        return f"<b><code>{escape(selected)}</code></b><ul>{items}</ul>"
