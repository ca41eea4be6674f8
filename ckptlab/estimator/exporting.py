"""export_saved_model and serving input receivers (a TF1 SavedModel, loadable on TF 2.21)."""

from __future__ import annotations

import collections
import functools
import os
from typing import Any

import tensorflow as tf

from ckptlab.estimator.building import build_graph
from ckptlab.estimator.recording import CallRecording, tallied
from ckptlab.estimator.saving import saver_of
from ckptlab.estimator.spec import ModeKeys
from ckptlab.scopes import step_of_prefix
from ckptlab.tf_private import export_utils

__all__ = ["ServingInputReceiver", "SupervisedInputReceiver", "TensorServingInputReceiver",
           "build_parsing_serving_input_receiver_fn", "build_raw_serving_input_receiver_fn",
           "build_raw_supervised_input_receiver_fn", "export_all"]

_v1 = tf.compat.v1


_DEFAULT_NAMES = {"feature": "feature", "label": "label", "receiver_tensor": "input",
                  "receiver_tensors_alternative": "input"}


def _checked_tensor(value: Any, name: Any, label: str = "feature") -> None:
    if isinstance(value, tf.Tensor | tf.sparse.SparseTensor | tf.RaggedTensor):
        return
    problem = ValueError(f"{label}{f' {name}' if name else ''} must be a Tensor, "
                         "SparseTensor, or RaggedTensor.")
    if not hasattr(value, "tensor"):  # e.g. a LabeledTensor converts to a tensor
        raise problem
    try:
        tf.convert_to_tensor(value)
    except TypeError:
        raise problem from None


def checked_tensors(tensors: Any, label: str, allow_int_keys: bool = False) -> dict:
    """A tensor or {name: tensor} -> {name: tensor}; ValueError for what is neither."""
    if tensors is None:
        raise ValueError(f"{label}s must be defined.")
    if not isinstance(tensors, dict):
        tensors = {_DEFAULT_NAMES[label]: tensors}
    for name, tensor in tensors.items():
        if not isinstance(name, str):
            if not allow_int_keys:
                raise ValueError(f"{label} keys must be strings: {name}.")
            if not isinstance(name, int):
                raise ValueError(f"{label} keys must be strings or ints: {name}.")
        _checked_tensor(tensor, name, label)
    return tensors


class ServingInputReceiver(collections.namedtuple(
        "ServingInputReceiver", ["features", "receiver_tensors",
                                 "receiver_tensors_alternatives"])):
    """Features for model_fn and the tensors a serving request feeds."""

    def __new__(cls, features, receiver_tensors, receiver_tensors_alternatives=None):
        features = checked_tensors(features, "feature", allow_int_keys=True)
        receiver_tensors = checked_tensors(receiver_tensors, "receiver_tensor")
        if receiver_tensors_alternatives is not None:
            if not isinstance(receiver_tensors_alternatives, dict):
                raise ValueError("receiver_tensors_alternatives must be a dict: "
                                 f"{receiver_tensors_alternatives}.")
            for name, tensors in receiver_tensors_alternatives.items():
                receiver_tensors_alternatives[name] = checked_tensors(
                    tensors, "receiver_tensors_alternative")
        return super().__new__(cls, features, receiver_tensors, receiver_tensors_alternatives)


class TensorServingInputReceiver(collections.namedtuple(
        "TensorServingInputReceiver", ["features", "receiver_tensors",
                                       "receiver_tensors_alternatives"])):
    """Like ServingInputReceiver, but model_fn gets the single features tensor as is."""

    def __new__(cls, features, receiver_tensors, receiver_tensors_alternatives=None):
        if features is None:
            raise ValueError("features must be defined.")
        _checked_tensor(features, None)
        checked = ServingInputReceiver(features, receiver_tensors,
                                       receiver_tensors_alternatives)
        return super().__new__(cls, checked.features["feature"], checked.receiver_tensors,
                               checked.receiver_tensors_alternatives)


class SupervisedInputReceiver(collections.namedtuple(
        "SupervisedInputReceiver", ["features", "labels", "receiver_tensors"])):
    """Features and labels for exporting the TRAIN or EVAL graph."""

    def __new__(cls, features, labels, receiver_tensors):
        checked_tensors(features, "feature", allow_int_keys=True)
        checked_tensors(labels, "label", allow_int_keys=True)
        return super().__new__(cls, features, labels,
                               checked_tensors(receiver_tensors, "receiver_tensor"))


def _placeholder_like(tensor: Any, default_batch_size: int | None) -> Any:
    """A placeholder with `tensor`'s dtype and shape, the batch dimension replaced."""
    shape = tf.TensorShape([default_batch_size]).concatenate(
        tf.TensorShape(tensor.shape)[1:])
    name = getattr(getattr(tensor, "op", None), "name", None)
    return _v1.placeholder(dtype=tensor.dtype, shape=shape, name=name)


def _placeholders(tensors: dict, default_batch_size: int | None) -> dict:
    return {name: _placeholder_like(t, default_batch_size) for name, t in tensors.items()}


def build_raw_serving_input_receiver_fn(features, default_batch_size=None):
    """A receiver_fn feeding placeholders shaped like `features` (tensors or TensorSpecs)."""

    def serving_input_receiver_fn() -> ServingInputReceiver:
        tensors = _placeholders(features, default_batch_size)
        return ServingInputReceiver(tensors, tensors)

    return serving_input_receiver_fn


def build_parsing_serving_input_receiver_fn(feature_spec, default_batch_size=None):
    """A receiver_fn that parses serialized tf.Example protos fed as 'examples'."""

    def serving_input_receiver_fn() -> ServingInputReceiver:
        examples = _v1.placeholder(dtype=tf.string, shape=[default_batch_size],
                                   name="input_example_tensor")
        return ServingInputReceiver(_v1.io.parse_example(examples, feature_spec),
                                    {"examples": examples})

    return serving_input_receiver_fn


def build_raw_supervised_input_receiver_fn(features, labels, default_batch_size=None):
    """A receiver_fn with placeholders for features and labels (TRAIN/EVAL exports)."""
    feature_keys = features.keys() if isinstance(features, dict) else ["input"]
    label_keys = labels.keys() if isinstance(labels, dict) else ["label"]
    overlap = set(feature_keys) & set(label_keys)
    if overlap:
        raise ValueError("Features and labels must have distinct keys. Found overlapping "
                         f"keys: {overlap}")

    def supervised_input_receiver_fn() -> SupervisedInputReceiver:
        def side(values: Any, key: str) -> tuple[Any, dict]:
            if isinstance(values, dict):
                tensors = _placeholders(values, default_batch_size)
                return tensors, tensors
            tensor = _placeholder_like(values, default_batch_size)
            return tensor, {key: tensor}
        feature_tensors, receiver = side(features, "input")
        label_tensors, label_receiver = side(labels, "label")
        return SupervisedInputReceiver(feature_tensors, label_tensors,
                                       {**receiver, **label_receiver})

    return supervised_input_receiver_fn


def _restore(session: Any, saver: Any, checkpoint_path: str, mode: str) -> None:
    try:
        saver.restore(session, checkpoint_path)
    except tf.errors.NotFoundError as error:
        raise ValueError(
            "Could not load all requested variables from checkpoint. Please make sure your "
            "model_fn does not expect variables that were not saved in the checkpoint.\n\n"
            f"Encountered error with mode `{mode}` while restoring checkpoint from: "
            f"`{checkpoint_path}`. Full Traceback:\n\n{error}") from None


def _add_mode(estimator: Any, rec: CallRecording, builder: Any, receiver_fn: Any, mode: str,
              checkpoint_path: str, save_variables: bool, strip_default_attrs: bool) -> None:
    """Build `mode`'s graph from its receiver, restore the checkpoint, add its MetaGraph."""
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
            # restores now and goes into the SavedModel: the Scaffold's, else a new one
            saver = saver_of(spec.scaffold.saver) or _v1.train.Saver(sharded=True)
            _restore(session, saver, checkpoint_path, mode)
            tallied("checkpoint_restored")
            rec.recorder.emit("session_created", graph=rec.graph_id(graph))
            rec.recorder.emit("checkpoint_restored", path=checkpoint_path,
                              step=step_of_prefix(checkpoint_path),
                              variables=len(_v1.global_variables()))
            builder._add_train_op(spec.train_op)
            add = (functools.partial(builder.add_meta_graph_and_variables, session)
                   if save_variables else builder.add_meta_graph)
            add(tags=export_utils.EXPORT_TAG_MAP[mode], signature_def_map=signatures,
                assets_collection=_v1.get_collection(_v1.GraphKeys.ASSET_FILEPATHS),
                main_op=local_init, saver=saver, strip_default_attrs=strip_default_attrs)


def _copy_assets_extra(export_dir: Any, assets_extra: dict | None) -> None:
    """{relative destination: source file} -> copies under <export>/assets.extra/."""
    for destination, source in (assets_extra or {}).items():
        target = os.path.join(tf.compat.as_bytes(export_dir), b"assets.extra",
                              tf.compat.as_bytes(destination))
        _v1.gfile.MakeDirs(os.path.dirname(target))
        _v1.gfile.Copy(source, target)


def export_all(estimator: Any, rec: CallRecording, export_dir_base: str, receiver_fns: dict,
               checkpoint_path: str, assets_extra: dict | None = None, as_text: bool = False,
               strip_default_attrs: bool = True) -> bytes:
    """One SavedModel with a MetaGraph per mode in `receiver_fns` (TRAIN, EVAL, PREDICT);
    the first one added carries the variables. Returns the export directory (bytes)."""
    export_dir = export_utils.get_timestamped_export_dir(export_dir_base)
    temp_dir = export_utils.get_temp_export_dir(export_dir)
    builder = _v1.saved_model.Builder(temp_dir)
    save_variables = True
    for mode in (ModeKeys.TRAIN, ModeKeys.EVAL, ModeKeys.PREDICT):
        if receiver_fns.get(mode):
            _add_mode(estimator, rec, builder, receiver_fns[mode], mode, checkpoint_path,
                      save_variables, strip_default_attrs)
            save_variables = False
    if save_variables:
        raise ValueError(f"No valid modes for exporting found. Got {receiver_fns.keys()}.")
    builder.save(as_text)
    _copy_assets_extra(temp_dir, assets_extra)
    _v1.gfile.Rename(temp_dir, export_dir)
    return export_dir if isinstance(export_dir, bytes) else os.fsencode(export_dir)
