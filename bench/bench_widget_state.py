"""Size of an executed notebook's saved widget state: no plotly.js in it.

A notebook that shows a few plotly figures is executed with nbclient storing the widget
state (as `jupyter nbconvert --execute` does by default): once with ckptlab's
FigureWidget (ckptlab/widgets/figure.py), once with plotly's own (the baseline, the same
run), and the saved .ipynb files are compared. Target: with 3 figures, under 1 MB (plotly's
widget code once, about 0.1 MB; plotly.js, about 5 MB, never).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from bench.harness import Result, Timing

FIGURES = 3
CELL = """\
import plotly.graph_objects as go
{import_line}

FigureWidget(go.Figure(go.Bar(x=[1, 2, 3], y=[{n}, 2, 1])))
"""
VARIANTS = {"ckptlab": "from ckptlab.widgets.figure import FigureWidget",
            "plotly": "from plotly.graph_objects import FigureWidget"}


def saved_mb(variant: str, figures: int, folder: Path) -> float:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(
        CELL.format(import_line=VARIANTS[variant], n=n)) for n in range(figures)]
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   store_widget_state=True).execute()
    path = folder / f"{variant}.ipynb"
    nbformat.write(notebook, path)
    return path.stat().st_size / 1e6


def run(quick: bool = False) -> list[Result]:
    with tempfile.TemporaryDirectory() as scratch:
        ours = saved_mb("ckptlab", FIGURES, Path(scratch))
        theirs = saved_mb("plotly", FIGURES, Path(scratch))
    return [Result(f"executed notebook with {FIGURES} plotly figures, widget state saved",
                   "file size", "MB", Timing.of([ours]), baseline_name="plotly FigureWidget",
                   baseline=Timing.of([theirs]), target="< 1 MB",
                   met=ours < 1.0)]
