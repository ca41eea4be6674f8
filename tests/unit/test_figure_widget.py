"""No plotly.js in any widget state: ckptlab's figures carry plotly's widget code once per
kernel, with plotly.js cut out, and find plotly.js in the page (or ask the kernel).

plotly's own FigureWidget (the baseline, measured here) syncs its whole front-end module,
about 5 MB, as part of every figure's state. The browser tests (tests/browser) show
ckptlab's figures drawn in JupyterLab, Notebook 7 and Voila.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import playwright
import plotly.graph_objects as go
import pytest
from ipywidgets import Widget
from plotly.offline import get_plotlyjs

from ckptlab.widgets.figure import FigureWidget, PlotlyCode, plotly_code, widget_code

NODE = Path(playwright.__file__).parent / "driver" / "node"  # playwright ships Node.js


def state_bytes(widget: Widget) -> int:
    return len(json.dumps(widget.get_state(), default=str))


def test_no_widget_state_holds_plotly_js():
    first, second = FigureWidget(), FigureWidget(go.Figure(go.Bar(x=[1, 2], y=[3, 4])))
    code = plotly_code()
    assert first._code is second._code is code and isinstance(code, PlotlyCode)
    plain = state_bytes(go.FigureWidget())
    assert plain > 4_000_000  # the baseline: plotly.js in every figure
    assert state_bytes(first) < 20_000 and state_bytes(second) < 20_000
    assert 50_000 < state_bytes(code) < 300_000  # plotly's widget code, once per kernel
    assert first.get_state()["_code"] == f"IPY_MODEL_{code.model_id}"


def test_plotly_js_is_cut_out_of_plotlys_module():
    full, cut = str(go.FigureWidget._esm), widget_code()
    assert len(full) > 4_000_000 and len(cut) < 300_000
    assert "globalThis.Plotly" in cut and "window.Plotly=" not in cut
    assert cut.endswith(full[-5_000:])  # plotly's widget code itself is untouched
    assert "export{" in cut and "as default}" in cut


@pytest.mark.skipif(not NODE.exists(), reason="playwright's Node.js is not installed")
def test_the_cut_module_is_valid_javascript(tmp_path):
    module = tmp_path / "widget.mjs"
    module.write_text(widget_code())
    checked = subprocess.run([str(NODE), "--check", str(module)], capture_output=True,
                             text=True)
    assert checked.returncode == 0, checked.stderr[-2000:]


def test_the_kernel_sends_plotly_js_only_when_asked():
    code, sent = PlotlyCode(source="x"), []
    code.send = lambda content, buffers=None: sent.append((content, buffers))
    code._answer(code, {"want": "something else"}, [])
    assert sent == []
    code._answer(code, {"want": "plotly.js"}, [])
    [(content, buffers)] = sent
    assert "plotly_js" in content and buffers == [get_plotlyjs().encode()]
    assert "plotly_js" not in json.dumps(code.get_state())


class Wire:
    """The kernel end of a widget's comm: what the kernel sends to the front end."""

    kernel, comm_id = True, "wire"

    def __init__(self):
        self.updates = []

    def send(self, data, buffers=None):
        self.updates.append(data)

    def on_msg(self, callback):
        pass

    def close(self, *args, **kwargs):
        pass


def test_a_late_front_end_gets_the_figure_as_it_is_now_in_one_message():
    figure = FigureWidget()
    figure.add_bar(x=[1, 2], y=[3, 4])  # an update a late front end has not applied
    figure.comm = wire = Wire()
    figure._answer(figure, {"want": "something else"}, [])
    assert wire.updates == []
    figure._answer(figure, {"want": "state"}, [])
    [update] = wire.updates  # data, layout and the count the front end waits for, together
    assert update["method"] == "update" and update["state"]["_refreshes"] == 1
    [bar] = update["state"]["_widget_data"]
    assert bar["type"] == "bar" and list(bar["y"]) == [3, 4]
    figure._answer(figure, {"want": "state"}, [])  # nothing changed: only the count again
    assert set(wire.updates[-1]["state"]) == {"_refreshes"}


def test_ckptlab_views_draw_with_the_shared_figure():
    from ckptlab.widgets import checkpoint_explorer, lifecycle, modes, scopes

    for module in (checkpoint_explorer, lifecycle, modes, scopes):
        assert module.FigureWidget is FigureWidget, module.__name__
