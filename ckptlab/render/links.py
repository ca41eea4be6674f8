"""Where a finding's "Learn more" link points, from the notebook that shows it.

A finding names its tutorial section relative to the folder that holds `tutorials/`
(`tutorials/06_when_restores_go_wrong.ipynb#mode-only-variable`). A link in a notebook
is resolved by JupyterLab relative to that notebook, and the kernel runs in the
notebook's folder, so the href is the tutorial's path relative to the kernel's working
directory: `../tutorials/...` from `tutorials/` or `exercises/` (in a checkout and in the
copy `ckptlab lab` makes after a pip install), `tutorials/...` from the folder above.

The section is addressed as `#cell-id=<anchor>`: every tutorial section starts a cell
whose id is its anchor. JupyterLab (4.1+) and Notebook 7 scroll to a cell by id reliably;
a plain `#<anchor>` is looked up among rendered cells only, and a notebook just opened
has not rendered them yet (measured in JupyterLab 4.6: the page stays at the top).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["COPY_NAME", "tutorial_href"]

COPY_NAME = "ckptlab-tutorials"  # the folder `ckptlab lab` copies the shipped notebooks to


def tutorial_href(link: str, start: str | Path | None = None) -> str:
    """`link` ("tutorials/<notebook>.ipynb#<anchor>") as an href relative to `start`
    (default: the working directory). Found by looking in `start` and the folders above
    it, and in a `ckptlab-tutorials` copy next to any of them; else `link` unchanged."""
    path, _, anchor = link.partition("#")
    section = f"#cell-id={anchor}" if anchor else ""
    here = Path.cwd() if start is None else Path(start)
    here = here.resolve()
    for folder in (here, *here.parents):
        for root in (folder, folder / COPY_NAME):
            if (root / path).is_file():
                return Path(os.path.relpath(root / path, here)).as_posix() + section
    return path + section
