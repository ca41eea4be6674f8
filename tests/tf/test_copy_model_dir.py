"""The resume runs in a copy of the model_dir beside evaluate(), which reads the original:
the copy must be its own even when the learner's Saver writes absolute paths into the
`checkpoint` state (save_relative_paths=False), or the resume restores from, and prunes
checkpoints of, the original."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.tf

tf = pytest.importorskip("tensorflow")
_v1 = tf.compat.v1


def _model_fn(features, labels, mode):
    from ckptlab.estimator import EstimatorSpec

    output = tf.matmul(features["x"], _v1.get_variable("w", [2, 1]))
    loss = _v1.losses.mean_squared_error(labels, output)
    train_op = _v1.train.GradientDescentOptimizer(0.1).minimize(
        loss, global_step=_v1.train.get_global_step())
    saver = _v1.train.Saver(max_to_keep=1, save_relative_paths=False)
    return EstimatorSpec(mode, loss=loss, train_op=train_op,
                         scaffold=_v1.train.Scaffold(saver=saver))


def _input_fn():
    import numpy as np

    x = np.ones((8, 2), np.float32)
    return tf.data.Dataset.from_tensor_slices(({"x": x}, x[:, :1])).batch(4)


def test_a_resume_in_the_copy_leaves_the_original_model_dir_as_it_was(tmp_path):
    from ckptlab.checker.runners.estimator import copy_model_dir
    from ckptlab.checker.runners.tracks import seeded
    from ckptlab.estimator import Estimator, RunConfig

    original, copy = tmp_path / "model_dir", tmp_path / "resumed"
    config = RunConfig(keep_checkpoint_max=1)
    with seeded():
        Estimator(_model_fn, str(original), config).train(_input_fn, steps=2)
    assert f'"{original}/' in (original / "checkpoint").read_text()  # absolute paths
    before = sorted(p.name for p in original.iterdir())
    copy_model_dir(original, copy)
    assert _v1.train.latest_checkpoint(str(copy)).startswith(str(copy))
    with seeded():
        Estimator(_model_fn, str(copy), config).train(_input_fn, steps=2)
    assert sorted(p.name for p in original.iterdir()) == before
    assert _v1.train.latest_checkpoint(str(original)).endswith("-2")
    assert _v1.train.latest_checkpoint(str(copy)) == f"{copy}/model.ckpt-4"



def test_a_linked_checkpoint_state_becomes_the_copy_s_own(tmp_path):
    from ckptlab.checker.runners.estimator import copy_model_dir

    original, copy = tmp_path / "model_dir", tmp_path / "resumed"
    original.mkdir()
    (tmp_path / "state.txt").write_text(f'model_checkpoint_path: "{original}/model.ckpt-2"\n')
    (original / "checkpoint").symlink_to(tmp_path / "state.txt")
    copy_model_dir(original, copy)
    state = copy / "checkpoint"
    assert not state.is_symlink() and state.read_text() == 'model_checkpoint_path: "model.ckpt-2"\n'
    assert (tmp_path / "state.txt").read_text().startswith(f'model_checkpoint_path: "{original}/')
