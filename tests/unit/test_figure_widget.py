"""plotly.js goes to the browser once per kernel, not once per FigureWidget.

plotly's own FigureWidget (the baseline, measured here) syncs its whole front-end module,
about 5 MB, as part of every figure's state; ckptlab's views use ckptlab.widgets.figure's,
whose figures all refer to one PlotlyCode widget holding that module. The browser tests
(tests/browser) show the figures drawn.
"""

from __future__ import annotations

import json

import plotly.graph_objects as go
from ipywidgets import Widget

from ckptlab.widgets.figure import FigureWidget, PlotlyCode, plotly_code


def state_bytes(widget: Widget) -> int:
    return len(json.dumps(widget.get_state(), default=str))


def test_figures_share_one_copy_of_plotly_js():
    first, second = FigureWidget(), FigureWidget(go.Figure(go.Bar(x=[1, 2], y=[3, 4])))
    code = plotly_code()
    assert first._code is second._code is code and isinstance(code, PlotlyCode)
    assert code.source == str(go.FigureWidget._esm)  # plotly's module, unchanged
    plain = state_bytes(go.FigureWidget())
    assert plain > 4_000_000  # the baseline: plotly.js in every figure
    assert state_bytes(first) < 20_000 and state_bytes(second) < 20_000
    assert state_bytes(code) > 4_000_000
    assert first.get_state()["_code"] == f"IPY_MODEL_{code.model_id}"


def test_ckptlab_views_draw_with_the_shared_figure():
    from ckptlab.widgets import checkpoint_explorer, lifecycle, modes, scopes

    for module in (checkpoint_explorer, lifecycle, modes, scopes):
        assert module.FigureWidget is FigureWidget, module.__name__
