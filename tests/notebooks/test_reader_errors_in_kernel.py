"""In a real Jupyter kernel, a damaged checkpoint given to the explorer or the reader shows
ckptlab's message and nothing else (no traceback), and the kernel keeps working."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tests.fuzz.tables import set_fields, shape_message

CORPUS = Path(__file__).resolve().parents[1] / "fuzz" / "corpus"


def test_explorer_and_reader_errors_show_only_the_message(tmp_path):
    shutil.copytree(CORPUS / "name_based", tmp_path / "run")
    prefix = tmp_path / "run" / "model.ckpt-1"
    set_fields(Path(f"{prefix}.index"), b"model/dense/kernel", {2: (2, shape_message([1] * 300))})
    cells = [f"import ckptlab\nckptlab.CheckpointExplorer({str(tmp_path / 'run')!r})",
             f"ckptlab.inspect_checkpoint({str(prefix)!r})",
             "print('still alive')"]
    document = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(document, timeout=240, allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    problem = (f"CorruptCheckpointError: The checkpoint '{prefix}' is damaged: its .index file "
               "'model.ckpt-1.index' cannot be decoded: the shape of 'model/dense/kernel' has "
               "300 dimensions (TensorFlow allows 254).")
    for cell in document.cells[:2]:
        (error,) = [o for o in cell.outputs if o.output_type == "error"]
        assert error.ename == "CorruptCheckpointError"
        assert error.traceback == [
            problem,
            "Why: The files were probably truncated or changed (an interrupted copy or save, a "
            "full disk, a bad disk) or belong to different saves; TensorFlow would refuse them "
            "too.",
            "Fix: Use another checkpoint of the run (e.g. the previous step) or copy the files "
            "again, all PREFIX.index and PREFIX.data-* files together.",
            f"Received: '{prefix}'"]
    assert document.cells[2].outputs[0].text == "still alive\n"
