"""The first plotly widget of a kernel does not pay for jsonschema's IRI grammar."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import sys
import ckptlab.widgets
import plotly.graph_objects as go
import nbformat
go.FigureWidget()
nbformat.validate(nbformat.v4.new_notebook())
print(sys.modules.get("rfc3987_syntax", "absent"))
"""


def test_widgets_skip_the_iri_grammar_and_nbformat_still_validates():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "None"
