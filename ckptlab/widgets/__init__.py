"""Interactive views (ipywidgets + plotly) over ckptlab records; no TensorFlow here."""

from __future__ import annotations

import sys


def _skip_slow_iri_grammar() -> None:
    """Spare the learner ~4 s on the first plotly widget of a kernel.

    A FigureWidget imports nbformat, which imports jsonschema, which (when the optional
    `rfc3987_syntax` package is installed, as JupyterLab's dependencies do) compiles a
    large IRI grammar at import time: 4-5 s measured with `python -X importtime`.
    Nothing ckptlab or nbformat validates uses the "iri" formats, so when jsonschema is
    not imported yet, ckptlab marks that optional module as absent; jsonschema then
    treats the "iri" formats as unchecked, exactly as without the package.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


_skip_slow_iri_grammar()
