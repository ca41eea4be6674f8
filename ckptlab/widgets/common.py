"""What every ckptlab view shares: a static HTML fallback and in-place figure updates.

`StaticFallback` adds `text/html` next to the widget view in the output bundle: JupyterLab
and Notebook 7 draw the live widget, while GitHub, nbviewer and exported HTML (which
cannot run widgets) show the view's `_repr_html_()` instead of a bare `VBox(...)`.
"""

from __future__ import annotations

from contextlib import suppress
from copy import deepcopy
from typing import Any

import plotly.graph_objects as go

__all__ = ["StaticFallback", "show_figure"]


class StaticFallback:
    """Mixin for ipywidgets containers that define `_repr_html_`."""

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs)  # type: ignore[misc]
        with suppress(Exception):  # a broken fallback never hides the live widget
            bundle["text/html"] = self._repr_html_()  # type: ignore[attr-defined]
        return bundle


def show_figure(widget: go.FigureWidget, figure: go.Figure) -> None:
    """Make `widget` show `figure`: traces updated in place when their kinds match."""
    same_kinds = [t.type for t in widget.data] == [t.type for t in figure.data]
    # what the new layout no longer has (the timeline's call labels and cursor, in the
    # comparison) is removed by name first: replacing the layout leaves out empty keys,
    # and the front end keeps every key it is not told of
    gone = set(widget.layout.to_plotly_json()) - set(figure.layout.to_plotly_json())
    if gone:
        widget.plotly_relayout({key: None for key in gone})
    with widget.batch_update():
        if same_kinds:
            for old, new in zip(widget.data, figure.data, strict=True):
                properties = new.to_plotly_json()
                properties.pop("type", None)
                old.update(properties, overwrite=True)
        else:
            widget.data = []
            widget.add_traces(list(figure.data))
        widget.layout = figure.layout
    # plotly refreshes a FigureWidget's initial state only when it is displayed on its own;
    # inside a VBox the front end would start from an empty figure, so refresh it here
    # (the front end ignores this state once its view exists and follows the updates)
    widget._widget_layout = deepcopy(widget._layout_obj._props)
    widget._widget_data = deepcopy(widget._data)
