"""CheckpointExplorer driven through its public methods and widget values (no browser)."""

from __future__ import annotations

import re

import numpy as np
import tensorflow as tf

from ckptlab import CheckpointExplorer
from tests.helpers.checkpoints import checksums, make_object_checkpoint, make_tf1_model_dir

KERNEL = "model/dense/kernel"


def test_explorer_actions_change_the_one_figure(tmp_path):
    model_dir = make_tf1_model_dir(tmp_path, steps=3)
    before = checksums(model_dir)
    explorer = CheckpointExplorer(model_dir)
    assert explorer.mode == "sizes" and explorer.figure.data[0].type == "treemap"
    explorer.select_variable(KERNEL)
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


def test_tree_has_totals_and_follows_filter_selection_and_collapse(tmp_path):
    explorer = CheckpointExplorer(make_tf1_model_dir(tmp_path, steps=2))
    labels = explorer.tree.labels
    # 3 weights (20 values) and their 2 Adam slots each, float32
    assert "\u25be model/  [9 variables, 60 values, 240 B]" in labels
    assert any("kernel  (3, 4) float32 48 B [weight]" in label for label in labels)
    explorer.set_filter("Adam_1")
    assert explorer.tree.labels[0] == "\u25be model/  [3 variables, 20 values, 80 B]"
    explorer.set_filter("")
    front_end = explorer.tree._message  # what the browser view sends on a click or Enter
    front_end(None, {"action": "pick", "id": f"variable:{KERNEL}"}, [])
    assert explorer.selected == KERNEL and explorer.mode == "values"
    front_end(None, {"action": "toggle", "id": "scope:model/dense"}, [])
    assert not any("kernel  (3, 4)" in label for label in explorer.tree.labels)
    assert "\u25b8 dense/" in "".join(explorer.tree.labels)
    explorer.select_variable(KERNEL)  # selecting again opens the scopes above it
    assert explorer.tree.selected == f"variable:{KERNEL}"
    assert any("kernel  (3, 4)" in label for label in explorer.tree.labels)
    front_end(None, {"action": "pick", "id": "scope:model/dense_1"}, [])
    assert explorer.mode == "sizes" and explorer.figure.data[0].level == "model/dense_1/"


def test_slider_shows_steps_and_the_history_marks_the_current_step(tmp_path):
    model_dir = make_tf1_model_dir(tmp_path, steps=3)
    explorer = CheckpointExplorer(model_dir)
    assert [label for label, _ in explorer._slider.options] == ["1", "2", "3"]
    assert explorer._slider.label == "3"
    explorer.select_variable(KERNEL)
    history = explorer.history()
    assert [p.step for p in history] == [1, 2, 3]
    stored = tf.train.load_checkpoint(str(model_dir / "model.ckpt-2")).get_tensor(KERNEL)
    assert history[1].mean == np.float64(stored.astype(np.float64).mean())
    assert history[1].norm == np.linalg.norm(stored.astype(np.float64))
    mean_line, _, marker = explorer.figure.data[1:]
    assert list(mean_line.x) == [1, 2, 3] and list(marker.x) == [3, 3]
    explorer._slider.value = 0  # the slider moved by a person
    assert explorer._slider.label == "1" and explorer.index.step == 1
    assert list(explorer.figure.data[3].x) == [1, 1]
    assert "at step 1" in explorer.figure.layout.title.text


def test_static_html_shows_tree_totals_and_table(tmp_path):
    explorer = CheckpointExplorer(make_object_checkpoint(tmp_path))
    explorer.select_variable("model/dense1/_kernel")
    html = explorer._repr_html_()
    assert "<details" in html and "<summary><b>model/</b>" in html
    assert re.search(r"<b>dense1/</b> <span[^>]*>2 variables, 16 values, 64 B</span>", html)
    assert html.count("<tr") == len(explorer.index) + 1  # header + one row per variable
    assert re.search(r'<tr style="background:#fff3cd[^>]*><td[^>]*><code>'
                     r"model/dense1/_kernel</code>", html)
    shown = explorer.set_filter("dense2")
    filtered = explorer._repr_html_()
    assert 0 < len(shown) < len(explorer.index)
    assert f"{len(shown)} shown, filter 'dense2'" in filtered
    assert "<b>dense1/</b>" not in filtered.split("<table")[0]
    assert all("dense2" in row for row in re.findall(r"<code>([^<]+)</code></td>",
                                                     filtered.split("<table")[1]))


def test_charts_say_what_they_show(tmp_path):
    """Titled axes, the number itself for a one-value variable, a bar per element for a few,
    step counters apart from the diff, and a diff that follows the slider."""
    from ckptlab.render.figures.checkpoint import values_figure

    explorer = CheckpointExplorer(make_tf1_model_dir(tmp_path, steps=3))
    explorer.select_variable(KERNEL)
    layout = explorer.figure.layout
    assert layout.xaxis.title.text.startswith("column") and layout.yaxis.title.text.startswith(
        "row") and layout.xaxis2.title.text == "training step of each checkpoint"
    assert [t.name for t in explorer.figure.data[1:]] == [
        "mean of its values", "std of its values", "this checkpoint (step 3)"]
    one = values_figure("b", np.array([0.5], np.float32))
    assert one.data[0].type == "indicator" and one.data[0].value == 0.5
    few = values_figure("b", np.array([1.0, -2.0, 3.0], np.float32))
    assert list(few.data[0].x) == ["[0]", "[1]", "[2]"] and few.layout.yaxis.title.text == "value"
    explorer.show_diff(0, 2)
    bars = [y for trace in explorer.figure.data for y in trace.y]
    assert "global_step" not in bars
    assert "global_step" in explorer.figure.layout.title.subtitle.text
    assert [t.name for t in explorer.figure.data] == ["changed", "unchanged"]
    explorer.set_step(1)  # the slider moved to the first checkpoint: diff it with the next
    assert explorer.diff.a.step == 1 and explorer.diff.b.step == 2
    explorer.set_step(3)
    assert (explorer.diff.a.step, explorer.diff.b.step) == (2, 3)
