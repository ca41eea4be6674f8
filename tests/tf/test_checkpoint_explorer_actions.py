"""CheckpointExplorer driven through its public methods (no browser)."""

from __future__ import annotations

import numpy as np

from ckptlab import CheckpointExplorer
from tests.helpers.checkpoints import checksums, make_tf1_model_dir


def test_explorer_actions_change_the_one_figure(tmp_path):
    model_dir = make_tf1_model_dir(tmp_path, steps=3)
    before = checksums(model_dir)
    explorer = CheckpointExplorer(model_dir)
    assert explorer.mode == "sizes" and explorer.figure.data[0].type == "treemap"
    explorer.select_variable("model/dense/kernel")
    latest = np.array(explorer.figure.data[0].z)
    explorer.set_step(1)
    assert explorer.index.step == 1
    assert not np.array_equal(np.array(explorer.figure.data[0].z), latest)
    assert explorer.set_filter("Adam_1") == [
        "model/dense/bias/Adam_1", "model/dense/kernel/Adam_1", "model/dense_1/kernel/Adam_1"]
    explorer.show_diff(0, 2)
    assert explorer.figure.data[0].type == "bar" and "changed" in explorer._repr_html_()
    explorer.show_sizes()
    assert sum(isinstance(w, type(explorer.figure)) for w in explorer.children) == 1
    assert checksums(model_dir) == before
