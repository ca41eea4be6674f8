"""plotly's FigureWidget with its JavaScript sent once per kernel, not once per figure.

plotly 6+ draws a FigureWidget with an anywidget module (`_esm`: plotly.js and its widget
code, about 5 MB) that is a synced trait of every figure: each figure sends it to the
browser again, and a saved widget state (nbconvert --execute, "save widget state") stores
it once per figure. Here ONE hidden `PlotlyCode` widget per kernel holds that module; each
`FigureWidget` refers to it and carries a small loader that imports the module once per
page (keyed by plotly's version), then hands over to plotly's own widget code.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import anywidget
import plotly
import plotly.graph_objects as go
import traitlets
from ipywidgets import widget_serialization
from plotly.basewidget import BaseFigureWidget

__all__ = ["FigureWidget", "PlotlyCode", "plotly_code"]

LOADER = """\
const KEY = "plotly-%(version)s";
const PREFIX = "IPY_MODEL_";

function plotlyModule(model) {
  const modules = (globalThis.__ckptlabPlotly ??= new Map());
  if (!modules.has(KEY)) {
    modules.set(KEY, (async () => {
      const ref = model.get("_code");  // "IPY_MODEL_<id>" (or the model, if unpacked)
      const code = typeof ref === "string"
        ? await model.widget_manager.get_model(ref.slice(PREFIX.length)) : ref;
      const url = URL.createObjectURL(new Blob([code.get("source")], { type: "text/javascript" }));
      try { return await import(url); } finally { URL.revokeObjectURL(url); }
    })());
  }
  return modules.get(KEY);
}

export default () => {
  let plotlyWidget;
  return {
    async initialize(context) {
      plotlyWidget = (await plotlyModule(context.model)).default();
      return plotlyWidget.initialize?.(context);
    },
    render(context) { return plotlyWidget.render(context); },
  };
};
"""


class PlotlyCode(anywidget.AnyWidget):
    """plotly's FigureWidget module, synced once; never displayed."""

    _esm = "export default {};"
    source = traitlets.Unicode(help="plotly's anywidget module (ES module source)").tag(
        sync=True)


@cache
def plotly_code() -> PlotlyCode:
    """The kernel's one PlotlyCode widget."""
    module = BaseFigureWidget._esm  # anywidget turns a module file into its text
    source = module.read_text(encoding="utf-8") if isinstance(module, Path) else str(module)
    return PlotlyCode(source=source)


class FigureWidget(go.FigureWidget):
    """A plotly FigureWidget whose plotly.js comes from the kernel's PlotlyCode widget."""

    _esm = LOADER % {"version": plotly.__version__}
    _code = traitlets.Instance(PlotlyCode, help="where the front end finds plotly.js").tag(
        sync=True, **widget_serialization)

    @traitlets.default("_code")
    def _default_code(self) -> PlotlyCode:
        return plotly_code()
