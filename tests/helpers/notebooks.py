"""Find the learner notebooks and execute one top to bottom in a scratch copy."""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.exercise_stubs import stub_problems

REPO = Path(__file__).resolve().parents[2]


def learner_notebooks() -> list[Path]:
    """Every notebook a learner opens: tutorials/ and exercises/ (not checkpoints)."""
    found = sorted(REPO.glob("tutorials/*.ipynb")) + sorted(REPO.glob("exercises/**/*.ipynb"))
    return [path for path in found if ".ipynb_checkpoints" not in path.parts]


@dataclass(frozen=True)
class Execution:
    notebook: Path
    seconds: float
    cells: int
    kernel_peak_mb: float  # the kernel's peak resident memory (VmHWM), 0 if unknown
    tree_mb: float = 0.0  # kernel + the processes it started (warm runners), resident at
    #                       the end of the heaviest cell (sum of VmRSS), 0 if unknown
    problems: tuple[str, ...] = ()  # what a learner should not see (output_problems)


# a value shown by accident: an object's default repr, a number returned by a call made
# for its side effect (`path.write_text(...)` -> 403), NumPy 2 scalar reprs in a print
STRAY_RESULT = re.compile(r"^(<[\w.]+ (object )?at 0x[0-9a-f]+>|-?\d+(\.\d+)?)$")
NUMPY_REPR = re.compile(r"\bnp\.(float|int|uint|bool_|str_)\w*\(")


def output_problems(cells) -> list[str]:
    """Outputs a learner should never see: anything on stderr (TensorFlow's chatter, a
    warning), a stray value repr (not the points a graded cell ends with), NumPy scalar
    reprs. Cells are numbered from 1."""
    problems = []
    for number, cell in enumerate(cells, start=1):
        # an nbgrader graded cell ends with its points (`report.points`): nbgrader reads
        # that number as the cell's partial credit, so it is meant to be shown
        graded = cell.get("metadata", {}).get("nbgrader", {}).get("grade", False)
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            text = "".join(output.get("text", ""))  # a list of lines in a saved file
            if kind == "stream" and output.get("name") == "stderr":
                problems.append(f"cell {number} writes to stderr: {text.strip()[:300]}")
            elif kind == "stream" and NUMPY_REPR.search(text):
                problems.append(f"cell {number} prints a NumPy repr: {text.strip()[:200]}")
            elif kind == "execute_result" and set(output["data"]) == {"text/plain"} and not graded:
                shown = "".join(output["data"]["text/plain"]).strip()
                if STRAY_RESULT.match(shown):
                    problems.append(f"cell {number} shows a stray value: {shown}")
    return problems


def _status_mb(pid: int | None, field: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def peak_rss_mb(pid: int | None) -> float:
    """Peak resident memory of a live process, from /proc (Linux); 0 when unknown."""
    return _status_mb(pid, "VmHWM")


def descendants(pid: int) -> list[int]:
    """Live child processes of `pid`, their children, and so on (Linux /proc)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                children = [int(child) for child in task.read_text().split()]
            except OSError:  # the task ended meanwhile
                continue
            found += children
            todo += children
    return found


def tree_rss_mb(pid: int | None) -> float:
    """Resident memory now of a process and all its descendants; 0 when unknown."""
    if pid is None:
        return 0.0
    return sum(_status_mb(one, "VmRSS") for one in [pid, *descendants(pid)])


def execute_copy(notebook: Path, scratch: Path, timeout: int = 300,
                 kernel_name: str = "python3") -> Execution:
    """Run `notebook` in a copy of its folder, so the repository stays untouched."""
    import nbformat
    from nbclient import NotebookClient

    workdir = scratch / notebook.parent.name
    shutil.copytree(notebook.parent, workdir, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    document = nbformat.read(workdir / notebook.name, as_version=4)
    peak, tree = [0.0], [0.0]

    def record_peak(**_):
        pid = getattr(getattr(client.km, "provisioner", None), "pid", None)
        peak[0] = max(peak[0], peak_rss_mb(pid))
        tree[0] = max(tree[0], tree_rss_mb(pid))

    client = NotebookClient(document, timeout=timeout, kernel_name=kernel_name,
                            resources={"metadata": {"path": str(workdir)}},
                            on_cell_executed=record_peak)  # after its reply
    start = time.perf_counter()
    client.execute()
    return Execution(notebook, time.perf_counter() - start,
                     sum(cell.cell_type == "code" for cell in document.cells), peak[0],
                     problems=tuple(output_problems(document.cells)
                                    + stub_problems(notebook, document.cells)),
                     tree_mb=tree[0])
