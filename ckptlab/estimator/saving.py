"""Checkpoint saving with tf.estimator's files, at less cost, and a lighter Scaffold.

`LeanCheckpointSaverHook` behaves like tf.compat.v1.train.CheckpointSaverHook (same
files: graph.pbtxt, events, model.ckpt-N.{index,data,meta}, same save steps and
listeners) but serialises the finalized graph once per call: graph.pbtxt is written with
the fast C text encoder and skipped when unchanged, and the .meta of later saves repeats
the bytes of the first one (the graph is finalized, so they are identical).
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

import tensorflow as tf

from ckptlab.tf_private import graph_view, meta_graph

__all__ = ["LeanCheckpointSaverHook", "light_scaffold", "saver_of"]

_v1 = tf.compat.v1
_written_graphs: dict[str, tuple[str, float]] = {}  # graph.pbtxt path -> (digest, mtime)


def write_graph_text(graph_def: Any, directory: str) -> None:
    """Write graph.pbtxt unless this process already wrote the same graph there."""
    path = os.path.join(directory, "graph.pbtxt")
    digest = hashlib.sha1(graph_def.SerializeToString(deterministic=True)).hexdigest()
    known = _written_graphs.get(path)
    if known and known[0] == digest and os.path.exists(path) \
            and os.path.getmtime(path) == known[1]:
        return
    os.makedirs(directory, exist_ok=True)
    with open(path, "w") as handle:
        handle.write(str(graph_def))
    _written_graphs[path] = (digest, os.path.getmtime(path))


class LeanCheckpointSaverHook(_v1.train.CheckpointSaverHook):
    """CheckpointSaverHook that serialises the graph once per train() call."""

    _meta_bytes: bytes | None = None

    def after_create_session(self, session: Any, coord: Any) -> None:
        global_step = session.run(self._global_step_tensor)
        if self._save_graph_def:  # RunConfig.checkpoint_save_graph_def
            self._write_graph()
        self._save(session, global_step)
        self._timer.update_last_triggered_step(global_step)

    def _write_graph(self) -> None:
        graph = _v1.get_default_graph()
        graph_def = graph.as_graph_def(add_shapes=True)
        write_graph_text(graph_def, self._checkpoint_dir)
        saver = self._get_saver()
        add_graph_def = getattr(self._summary_writer, "_add_graph_def", None)
        if add_graph_def is not None:  # the GraphDef we have; add_graph would rebuild it
            add_graph_def(graph_def)
        else:
            self._summary_writer.add_graph(graph)
        self._summary_writer.add_meta_graph(meta_graph.create_meta_graph_def(
            graph_def=graph_def, saver_def=saver.saver_def if saver else None))

    def _save(self, session: Any, step: int) -> bool:
        _v1.logging.info("Calling checkpoint listeners before saving checkpoint %d...", step)
        for listener in self._listeners:
            listener.before_save(session, step)
        _v1.logging.info("Saving checkpoints for %d into %s.", step, self._save_path)
        first = self._meta_bytes is None
        prefix = self._get_saver().save(session, self._save_path, global_step=step,
                                        write_meta_graph=first and self._save_graph_def)
        if self._save_graph_def and first:
            with open(f"{prefix}.meta", "rb") as handle:
                self._meta_bytes = handle.read()
        elif self._save_graph_def:
            with open(f"{prefix}.meta", "wb") as handle:
                handle.write(self._meta_bytes)
        self._summary_writer.add_session_log(
            tf.compat.v1.SessionLog(status=tf.compat.v1.SessionLog.CHECKPOINT,
                                    checkpoint_path=self._save_path), step)
        _v1.logging.info("Calling checkpoint listeners after saving checkpoint %d...", step)
        should_stop = False
        for listener in self._listeners:
            if listener.after_save(session, step):
                _v1.logging.info("A CheckpointSaverListener requested that training be "
                                 f"stopped. listener: {listener}")
                should_stop = True
        return should_stop


def saver_of(saver: Any) -> Any:
    """A Scaffold's saver as a name-based Saver: a tf.train.Checkpoint becomes a Saver of
    its objects (as Scaffold.finalize does); a Saver or None stays as it is."""
    if isinstance(saver, tf.train.Checkpoint):
        return _v1.train.Saver(var_list=graph_view.ObjectGraphView(
            saver).frozen_saveable_objects(), sharded=True)
    return saver


def light_scaffold(scaffold: Any) -> Any:
    """The learner's Scaffold, but with trivial readiness checks when nothing was customised.

    The default checks build report_uninitialized_variables (several ops per variable)
    in every call's graph (about a third of a small round trip). With the default saver
    (every global variable, or NotFoundError) and the default init and local init ops,
    they always pass. Anything the learner set (a Saver, also in the SAVERS collection,
    an init_op, init_fn, local_init_op, ready op) keeps them: a partial restore must
    still fail with tf.estimator's "Init operations did not make model ready ...".
    """
    customised = (scaffold.saver, scaffold.init_op, scaffold.init_fn, scaffold.local_init_op,
                  scaffold.ready_op, scaffold.ready_for_local_init_op)
    if any(part is not None for part in customised) or _v1.get_collection(
            _v1.GraphKeys.SAVERS):
        return scaffold
    nothing = tf.constant([], dtype=tf.string, name="ckptlab_ready")
    # in the graph's collections too, as Scaffold.finalize leaves its own ready ops, so a
    # Scaffold made later in this (finalized) graph finds them instead of building ops
    for key in (_v1.GraphKeys.READY_OP, _v1.GraphKeys.READY_FOR_LOCAL_INIT_OP):
        _v1.add_to_collection(key, nothing)
    return _v1.train.Scaffold(ready_op=nothing, ready_for_local_init_op=nothing,
                              copy_from_scaffold=scaffold)
