"""export_saved_model and serving input receivers (a TF1 SavedModel, loadable on TF 2.21)."""

from __future__ import annotations

import collections
import os
from typing import Any

import tensorflow as tf
from tensorflow.python.saved_model.model_utils import export_utils

from ckptlab.estimator.building import build_graph
from ckptlab.estimator.recording import CallRecording, step_of
from ckptlab.estimator.spec import ModeKeys

__all__ = ["ServingInputReceiver", "TensorServingInputReceiver",
           "build_raw_serving_input_receiver_fn", "export_model"]

_v1 = tf.compat.v1


class ServingInputReceiver(collections.namedtuple(
        "ServingInputReceiver", ["features", "receiver_tensors",
                                 "receiver_tensors_alternatives"])):
    """Features for model_fn and the tensors a serving request feeds."""

    def __new__(cls, features, receiver_tensors, receiver_tensors_alternatives=None):
        if features is None:
            raise ValueError("features must be defined.")
        if not isinstance(features, dict):
            features = {"feature": features}
        if not isinstance(receiver_tensors, dict):
            receiver_tensors = {"input": receiver_tensors}
        return super().__new__(cls, features, receiver_tensors, receiver_tensors_alternatives)


class TensorServingInputReceiver(collections.namedtuple(
        "TensorServingInputReceiver", ["features", "receiver_tensors",
                                       "receiver_tensors_alternatives"])):
    """Like ServingInputReceiver, but model_fn gets the single features tensor as is."""

    def __new__(cls, features, receiver_tensors, receiver_tensors_alternatives=None):
        if features is None:
            raise ValueError("features must be defined.")
        checked = ServingInputReceiver(features, receiver_tensors,
                                       receiver_tensors_alternatives)
        return super().__new__(cls, features, checked.receiver_tensors,
                               receiver_tensors_alternatives)


def build_raw_serving_input_receiver_fn(features: dict, default_batch_size: int | None = None):
    """A receiver_fn feeding placeholders shaped like `features` (tensors or TensorSpecs)."""

    def receiver_fn() -> ServingInputReceiver:
        placeholders = {}
        for name, like in features.items():
            shape = [default_batch_size, *tf.TensorShape(like.shape).as_list()[1:]]
            placeholders[name] = _v1.placeholder(like.dtype, shape, name=name)
        return ServingInputReceiver(placeholders, dict(placeholders))

    return receiver_fn


def _restore(session: Any, saver: Any, checkpoint_path: str, mode: str) -> None:
    try:
        saver.restore(session, checkpoint_path)
    except tf.errors.NotFoundError as error:
        raise ValueError(
            "Could not load all requested variables from checkpoint. Please make sure your "
            "model_fn does not expect variables that were not saved in the checkpoint.\n\n"
            f"Encountered error with mode `{mode}` while restoring checkpoint from: "
            f"`{checkpoint_path}`. Full Traceback:\n\n{error}") from None


def export_model(estimator: Any, rec: CallRecording, export_dir_base: str, receiver_fn: Any,
                 checkpoint_path: str, as_text: bool = False,
                 mode: str = ModeKeys.PREDICT) -> bytes:
    export_dir = export_utils.get_timestamped_export_dir(export_dir_base)
    temp_dir = export_utils.get_temp_export_dir(export_dir)
    builder = _v1.saved_model.Builder(temp_dir)
    with tf.Graph().as_default() as graph:
        spec = (built := build_graph(estimator, rec, mode, receiver_fn=receiver_fn)).spec
        outputs = export_utils.export_outputs_for_mode(
            mode=spec.mode, serving_export_outputs=spec.export_outputs,
            predictions=spec.predictions, loss=spec.loss, metrics=spec.eval_metric_ops)
        signatures = export_utils.build_all_signature_defs(
            built.receiver.receiver_tensors, outputs,
            getattr(built.receiver, "receiver_tensors_alternatives", None),
            serving_only=(mode == ModeKeys.PREDICT))
        with _v1.Session(config=estimator.config.session_config) as session:
            local_init = (spec.scaffold.local_init_op
                          or _v1.train.Scaffold.default_local_init_op())
            saver = spec.scaffold.saver or _v1.train.Saver(sharded=True)
            _restore(session, saver, checkpoint_path, mode)
            rec.recorder.emit("session_created", graph=rec.graph_id(graph))
            rec.recorder.emit("checkpoint_restored", path=checkpoint_path,
                              step=step_of(checkpoint_path),
                              variables=len(_v1.global_variables()))
            builder._add_train_op(spec.train_op)
            builder.add_meta_graph_and_variables(
                session, tags=export_utils.EXPORT_TAG_MAP[mode], signature_def_map=signatures,
                assets_collection=_v1.get_collection(_v1.GraphKeys.ASSET_FILEPATHS),
                main_op=local_init, saver=saver, strip_default_attrs=True)
    builder.save(as_text)
    _v1.gfile.Rename(temp_dir, export_dir)
    return export_dir if isinstance(export_dir, bytes) else os.fsencode(export_dir)
