"""A notebook that rewrites a checkpoint at the same prefix reads the new values (issue 11).

The value reader cached each checkpoint's index by prefix only, so after a re-run cell
saved again to `model.ckpt-0`, read_value returned bytes at the old offsets: stale or
garbled values, or a KeyError for a variable the old file did not have.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from ckptlab.checkpoint import inspect_checkpoint, read_value

v1 = tf.compat.v1


def _save(prefix: str, values: dict[str, list[float]]) -> None:
    graph = tf.Graph()
    with graph.as_default():
        variables = [v1.get_variable(name, initializer=np.asarray(value, np.float32))
                     for name, value in values.items()]
        saver = v1.train.Saver(variables)
        with v1.Session(graph=graph) as session:
            session.run(v1.global_variables_initializer())
            saver.save(session, prefix)


def test_values_follow_a_checkpoint_rewritten_at_the_same_prefix(tmp_path):
    prefix = str(tmp_path / "model.ckpt-0")
    _save(prefix, {"w": [1.0, 2.0, 3.0]})
    assert read_value(inspect_checkpoint(prefix), "w").tolist() == [1.0, 2.0, 3.0]
    # the cell runs again: another variable first (offsets move) and new values
    _save(prefix, {"a": [5.0] * 7, "w": [7.0, 8.0, 9.0]})
    index = inspect_checkpoint(prefix)
    assert read_value(index, "w").tolist() == [7.0, 8.0, 9.0]
    assert read_value(index, "a").tolist() == [5.0] * 7
