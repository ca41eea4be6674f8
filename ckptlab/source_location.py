"""Where a line of the learner's code is, in the words a learner uses.

Code typed in a notebook cell is compiled by IPython from a temporary file
(`/tmp/ipykernel_4711/3178775857.py`); that name means nothing to a learner, so it is
shown as the cell's execution count, the number in `[5]` left of the cell: `cell [5],
line 3`. Any other file is shown by its base name. Importing this module imports nothing
heavy; IPython is only asked when it is already running.

A notebook file checked from the command line is run as one script of its code cells;
`notebook_location` turns 'a.py, line 40' of that script back into the cell's words: its
execution count when the saved notebook has one (`cell [5], line 3`), else its position
among the notebook's cells (`cell 4 from the top, line 3`).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence

__all__ = ["CellSpan", "cell_number", "cell_words", "location", "notebook_location"]


def cell_number(filename: str) -> int | None:
    """The execution count of the notebook cell compiled from `filename`, if it is one."""
    if "IPython" not in sys.modules:
        return None
    try:
        shell = sys.modules["IPython"].get_ipython()
        number = shell.compile._filename_map.get(filename) if shell is not None else None
    except AttributeError:  # an IPython without the map (older than 8): no cell numbers
        return None
    return number if isinstance(number, int) else None


def location(filename: str, line: int) -> str:
    """'cell [5], line 3' for code from a notebook cell, else 'model.py, line 3' (the
    file's base name): the one wording of a place in the learner's code."""
    number = cell_number(filename)
    if number is not None:
        return f"cell [{number}], line {line}"
    return f"{os.path.basename(filename)}, line {line}"


def cell_words(files) -> dict[str, str]:
    """For text located in another process (the checker's worker has no IPython, so it
    says '3178775857.py, line 3'): {'3178775857.py, line ': 'cell [5], line '} for each of
    `files` that is a notebook cell here."""
    words = {}
    for filename in files:
        number = cell_number(filename)
        if number is not None:
            words[f"{os.path.basename(filename)}, line "] = f"cell [{number}], line "
    return words


# a cell of a notebook's joined script: (its first line there, its number of lines, label)
CellSpan = tuple[int, int, str]


def notebook_location(text: str, script: str, cells: Sequence[CellSpan]) -> str:
    """`text` with every 'SCRIPT, line N' of the joined script said as its cell's words."""
    def cell_line(match: re.Match) -> str:
        line = int(match.group(1))
        for first, count, label in cells:
            if first <= line < first + count:
                return f"{label}, line {line - first + 1}"
        return match.group(0)

    return re.sub(rf"\b{re.escape(script)}, line (\d+)", cell_line, text)
