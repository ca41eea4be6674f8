"""Interactive views (ipywidgets + plotly) over ckptlab records; no TensorFlow here."""
