"""Plotly figures of ckptlab records (the only render modules that import plotly)."""
