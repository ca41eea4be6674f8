"""Where a finding's "Learn more" link points, from the notebook that shows it.

A finding names its tutorial section relative to the folder that holds `tutorials/`
(`tutorials/06_when_restores_go_wrong.ipynb#mode-only-variable`). A link in a notebook
is resolved by JupyterLab relative to that notebook, and the kernel runs in the
notebook's folder, so the href is the tutorial's path relative to the kernel's working
directory: `../tutorials/...` from `tutorials/` or `exercises/` (in a checkout and in the
copy `ckptlab lab` makes after a pip install), `tutorials/...` from the folder above.
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
    path, hash_mark, anchor = link.partition("#")
    here = Path.cwd() if start is None else Path(start)
    here = here.resolve()
    for folder in (here, *here.parents):
        for root in (folder, folder / COPY_NAME):
            if (root / path).is_file():
                return Path(os.path.relpath(root / path, here)).as_posix() + hash_mark + anchor
    return link
