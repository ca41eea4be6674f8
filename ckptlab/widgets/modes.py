"""`ModeExplorer`: model_fn built in TRAIN, EVAL and PREDICT, in three columns.

A thin view over a `ModeReport` (ckptlab.trace.modes.trace_modes): variables in creation
order with flags (only in some modes, auto-numbered names that shifted), collections such
as UPDATE_OPS, EstimatorSpec fields, op counts by type (plotly), and a switch that shows
the restore plan of EVAL and PREDICT against the TRAIN checkpoint. Every control is
backed by a public method.
"""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as widgets

from ckptlab.errors import UsageError
from ckptlab.render.figures.modes import OP_FILTERS, op_counts_figure
from ckptlab.render.modes import findings, mode_column_html, mode_explorer_html, mode_rows
from ckptlab.render.palette import MODE_LOOK, badge_html
from ckptlab.widgets.common import StaticFallback, show_figure
from ckptlab.widgets.figure import FigureWidget

__all__ = ["ModeExplorer"]


class ModeExplorer(StaticFallback, widgets.VBox):
    """Give it a model_fn (traced now, with `params`, `features`, `labels` as in
    `trace_modes`) or a ModeReport."""

    def __init__(self, model_fn_or_report: Any, params: Any = None, *, features: Any = None,
                 labels: Any = None, **kwargs: Any):
        self._model_fn, self._params = None, params
        self._inputs = {"features": features, "labels": labels}
        if hasattr(model_fn_or_report, "modes") and hasattr(model_fn_or_report, "comparison"):
            self.report = model_fn_or_report
        else:
            self._model_fn = model_fn_or_report
            self.report = self._trace(params)
        self.plan_switch = widgets.ToggleButton(
            description="restore plan vs TRAIN checkpoint", value=False,
            tooltip="show what EVAL and PREDICT would restore from a TRAIN checkpoint",
            layout={"width": "auto"})
        self.variable_picker = widgets.Dropdown(description="variable", options=[""])
        self.ops_picker = widgets.ToggleButtons(
            options=[("all op types", "all"), ("only in some modes", "some_modes")])
        self.columns = {t.mode: widgets.HTML(layout={"flex": "1 1 0", "min_width": "240px",
                                                     "width": "33%", "overflow": "hidden",
                                                     "margin": "0 6px 0 0"})
                        for t in self.report.modes}
        for mode, column in self.columns.items():
            column.add_class(f"ckptlab-mode-column-{mode}")
        self.detail = widgets.HTML()
        self.findings = widgets.HTML()
        self.figure = FigureWidget()
        self.plan_switch.observe(lambda _: self._render(), names="value")
        self.variable_picker.observe(lambda _: self._render(), names="value")
        self.ops_picker.observe(lambda _: self._render_figure(), names="value")
        controls = widgets.HBox([self.plan_switch, self.variable_picker])
        super().__init__([controls, widgets.HBox(list(self.columns.values())), self.detail,
                          self.findings, self.ops_picker, self.figure], **kwargs)
        self.add_class("ckptlab-mode-explorer")
        self._load()

    # ----- public actions -------------------------------------------------------------
    def show_restore_plan(self, on: bool = True) -> None:
        """Mark each EVAL/PREDICT variable matched / missing / mismatch / swapped."""
        self.plan_switch.value = bool(on)

    def select_variable(self, name: str) -> None:
        if name not in self.variable_picker.options:
            raise UsageError(f"No variable named {name!r} in any mode.",
                             fix="Pick a name from the columns, e.g. "
                                 f"{list(self.variable_picker.options[1:4])}.", received=name)
        self.variable_picker.value = name

    def show_ops(self, which: str) -> None:
        """'all' op types, or 'some_modes': those some mode does not build."""
        if which not in OP_FILTERS:
            raise UsageError("Unknown op filter.", fix=f"Use one of {OP_FILTERS}.",
                             received=which)
        self.ops_picker.value = which

    def rebuild(self, params: Any = None) -> None:
        """Trace the model_fn again (e.g. after editing it or with other params)."""
        if self._model_fn is None:
            raise UsageError("This explorer was made from a report, not a model_fn.",
                             fix="Make a new ModeExplorer(model_fn) to trace again.")
        self._params = params if params is not None else self._params
        self.report = self._trace(self._params)
        self._load()

    @property
    def restore_plan(self) -> dict[str, dict[str, str]]:
        """{mode: {variable: state}} for EVAL and PREDICT against the TRAIN checkpoint."""
        return {t.mode: {row.name: row.state for row in mode_rows(self.report, t.mode, True)}
                for t in self.report.modes if t.mode != "train"}

    def _repr_html_(self) -> str:
        return mode_explorer_html(self.report, self.plan_switch.value)

    # ----- internals -------------------------------------------------------------------
    def _trace(self, params: Any):
        from ckptlab.trace.modes import trace_modes  # TensorFlow stays out of this module

        return trace_modes(self._model_fn, params, **self._inputs)

    def _load(self) -> None:
        names: list[str] = []
        for trace in self.report.modes:
            names += [v.name for v in trace.variables if v.name not in names]
        keep = self.variable_picker.value if self.variable_picker.value in names else ""
        self.variable_picker.options = ["", *names]
        self.variable_picker.value = keep
        items = "".join(f"<li>{escape(text)}</li>" for text in findings(self.report))
        self.findings.value = (f"<b>What differs between the modes</b><ol>{items}</ol>"
                               if items else "<b>What differs between the modes</b>: "
                               "nothing, the modes agree.")
        self._render()
        self._render_figure()

    def _render(self) -> None:
        plan, selected = self.plan_switch.value, self.variable_picker.value
        for mode, column in self.columns.items():
            column.value = mode_column_html(self.report, mode, plan, selected)
        self.detail.value = self._detail_html(selected, plan)

    def _render_figure(self) -> None:
        show_figure(self.figure, op_counts_figure(self.report, self.ops_picker.value))

    def _detail_html(self, selected: str, plan: bool) -> str:
        if not selected:
            return "Pick a variable to compare it across the modes."
        parts = []
        for trace in self.report.modes:
            label = MODE_LOOK.get(trace.mode, ("", trace.mode))[1]
            row = next((r for r in mode_rows(self.report, trace.mode, plan)
                        if r.name == selected), None)
            if row is None or row.order < 0:
                parts.append(f"<li><b>{label}</b>: not created</li>")
                continue
            state = f" {badge_html(row.state)}: {escape(row.detail)}" if row.state else ""
            origin = f", made at {escape(row.origin)}" if row.origin else ""
            parts.append(f"<li><b>{label}</b>: #{row.order}, shape {escape(row.shape)}"
                         f"{origin}{state}</li>")
        return f"<b><code>{escape(selected)}</code></b><ul>{''.join(parts)}</ul>"
