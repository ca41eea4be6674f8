"""plotly's FigureWidget without plotly.js in any widget state.

plotly 6+ draws a FigureWidget with an anywidget module (`_esm`: plotly.js and plotly's
widget code, about 5 MB) that is a synced trait of every figure: each figure sends it to
the browser again, and a saved widget state (nbconvert --execute, "save widget state")
stores it once per figure. Here:

- ONE hidden `PlotlyCode` widget per kernel holds plotly's widget code with plotly.js cut
  out (about 0.1 MB; `widget_code`), which takes plotly.js from `globalThis.Plotly`;
- each `FigureWidget` refers to it and carries a small loader that, once per page, finds
  plotly.js where the page already has it: JupyterLab 4, Notebook 7 and Voila load
  plotly's own labextension (jupyterlab-plotly, installed with plotly), which defines
  `Plotly`; elsewhere the loader asks the kernel for plotly.js (a custom message, never
  part of the widget state: VS Code, Colab), or, with no kernel at all (a page of saved
  widget state), loads plotly's CDN copy of the same version.
"""

from __future__ import annotations

import re
from copy import deepcopy
from functools import cache
from pathlib import Path

import ipywidgets
import plotly
import plotly.graph_objects as go
import traitlets
from ipywidgets import widget_serialization
from plotly.basewidget import BaseFigureWidget
from plotly.offline import get_plotlyjs, get_plotlyjs_version

__all__ = ["FigureWidget", "PlotlyCode", "plotly_code", "widget_code"]

# plotly's bundle (esbuild) wraps plotly.js as its first CommonJS module, an UMD factory
# that ends by setting window.Plotly: `var A=B((C,D)=>{(function(E,F){typeof D=="object"
# &&D.exports?D.exports=F():E.moduleName=F()})(... ,()=>{... return window.Plotly=G,G})});`
PLOTLY_JS_START = re.compile(
    r'var (?P<var>\w+)=(?P<wrap>\w+)\(\((?P<exports>\w+),(?P<module>\w+)\)=>\{'
    r'\(function\((\w+),(\w+)\)\{typeof (?P=module)=="object"&&(?P=module)\.exports\?'
    r'(?P=module)\.exports=\6\(\):\5\.moduleName=\6\(\)\}\)')
PLOTLY_JS_END = re.compile(r'return window\.Plotly=(\w+),\1\}\)\}\);')

LOADER = """\
const KEY = "plotly-%(version)s";
const CDN = "https://cdn.plot.ly/plotly-%(plotlyjs)s.min.js";
const PREFIX = "IPY_MODEL_";

function script(src) {
  return new Promise((resolve, reject) => {
    const tag = Object.assign(document.createElement("script"), { src });
    tag.onload = resolve;
    tag.onerror = () => reject(new Error(`ckptlab: could not load ${src}`));
    document.head.appendChild(tag);
  });
}

function fromKernel(code) {  // plotly.js as a custom message: not part of any state
  return new Promise((resolve) => {  // a busy kernel answers when its cell ends
    code.on("msg:custom", (content, buffers) => {
      if (content?.plotly_js && buffers?.length) resolve(new TextDecoder().decode(buffers[0]));
    });
    code.send({ want: "plotly.js" });
  });
}

async function module(code) {
  // JupyterLab 4, Notebook 7, Voila: plotly's labextension has defined Plotly already
  globalThis.__ckptlabPlotlyFrom = globalThis.Plotly ? "page" : code.comm ? "kernel" : "cdn";
  if (globalThis.__ckptlabPlotlyFrom === "kernel") {
    const url = URL.createObjectURL(new Blob([await fromKernel(code)],
                                             { type: "text/javascript" }));
    try { await script(url); } finally { URL.revokeObjectURL(url); }
  } else if (globalThis.__ckptlabPlotlyFrom === "cdn") {
    await script(CDN);  // a page of saved widget state: no kernel to ask
  }
  const url = URL.createObjectURL(new Blob([code.get("source")], { type: "text/javascript" }));
  try { return { plotly: await import(url), live: Boolean(code.comm) }; } finally {
    URL.revokeObjectURL(url);
  }
}

function plotlyModule(model) {
  const modules = (globalThis.__ckptlabPlotly ??= new Map());
  if (!modules.has(KEY)) {
    modules.set(KEY, (async () => {
      const ref = model.get("_code");  // "IPY_MODEL_<id>" (or the model, if unpacked)
      const code = typeof ref === "string"
        ? await model.widget_manager.get_model(ref.slice(PREFIX.length)) : ref;
      return module(code);
    })());
  }
  return modules.get(KEY);
}

function refreshed(model) {  // the kernel sends the figure's whole state once more
  return new Promise((resolve) => {
    const done = () => { model.off("change:_refreshes", done); resolve(); };
    model.on("change:_refreshes", done);
    model.send({ want: "state" });
  });
}

// anywidget handles none of a model's messages until initialize has returned, and drops
// them all if that takes over 2 s ("[anywidget] Failed to initialize model."): the figure
// then keeps the empty state it was created with. So initialize only starts the loading;
// render waits for it. Updates that came before plotly's own model code listened are
// covered by asking the kernel for the figure's current state before the first view.
export default () => {
  let ready;
  return {
    initialize(context) {
      ready = (async () => {
        const { plotly, live } = await plotlyModule(context.model);
        const widget = plotly.default();
        await widget.initialize?.(context);
        if (live) await refreshed(context.model);
        return widget;
      })();
      ready.catch((error) => console.error("ckptlab: the figure cannot draw:", error));
    },
    async render(context) { return (await ready).render(context); },
  };
};
"""


@cache
def widget_code() -> str:
    """plotly's FigureWidget module with plotly.js replaced by `globalThis.Plotly`.

    If this plotly's bundle is not laid out as expected, its whole module (plotly.js
    included) is returned: figures still draw, with megabytes in the state again
    (tests/unit/test_figure_widget.py fails first, on the pinned plotly)."""
    module = BaseFigureWidget._esm  # anywidget turns a module file into its text
    source = module.read_text(encoding="utf-8") if isinstance(module, Path) else str(module)
    start, end = PLOTLY_JS_START.search(source), PLOTLY_JS_END.search(source)
    if start is None or end is None or end.start() < start.end():
        return source
    stub = (f"var {start['var']}={start['wrap']}(({start['exports']},{start['module']})=>"
            f"{{{start['module']}.exports=globalThis.Plotly}});")
    return source[:start.start()] + stub + source[end.end():]


class PlotlyCode(ipywidgets.Widget):
    """plotly's widget code without plotly.js, synced once per kernel; never displayed.
    Sends plotly.js to a front end that asks (one that has no plotly.js of its own)."""

    source = traitlets.Unicode(help="plotly's widget module minus plotly.js").tag(sync=True)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.on_msg(self._answer)

    def _answer(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and content.get("want") == "plotly.js":
            self.send({"plotly_js": get_plotlyjs_version()}, [get_plotlyjs().encode()])


@cache
def plotly_code() -> PlotlyCode:
    """The kernel's one PlotlyCode widget."""
    return PlotlyCode(source=widget_code())


class FigureWidget(go.FigureWidget):
    """A plotly FigureWidget whose code comes from the kernel's PlotlyCode widget and whose
    plotly.js comes from the page (or the kernel)."""

    _esm = LOADER % {"version": plotly.__version__, "plotlyjs": get_plotlyjs_version()}
    _code = traitlets.Instance(PlotlyCode, help="where the front end finds plotly's code").tag(
        sync=True, **widget_serialization)

    _refreshes = traitlets.Int(0, help="times the front end was sent the whole state").tag(
        sync=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.on_msg(self._answer)

    @traitlets.default("_code")
    def _default_code(self) -> PlotlyCode:
        return plotly_code()

    def _answer(self, _widget, content, _buffers) -> None:
        """A front end that started listening late asks for the figure as it is now; the
        data and layout it may lack come in one message with the count it waits for."""
        if isinstance(content, dict) and content.get("want") == "state":
            with self.hold_sync():
                self._widget_layout = deepcopy(self._layout_obj._props)
                self._widget_data = deepcopy(self._data)
                self._refreshes += 1
