"""The `.weights.h5` layout Keras 3 would use for a live model, for a dry-run restore.

Keras 3 does not address weights by layer name: `save_weights`/`load_weights` walk the
model and name each layer by its attribute ('block/a') or, inside a list such as a
Sequential or functional model's layers, by its class and position ('layers/dense_1').
A layer's own variables are 'vars/0', 'vars/1' ... in creation order; the optimizer's
are 'optimizer/vars/<i>'. To get exactly that walk, the model's weights are saved once
to a temporary file (the learner's files are never touched) and the layout is read back.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from ckptlab.checkpoint.reader_h5 import h5_layer_names, read_weights_h5
from ckptlab.checkpoint.records import CheckpointIndex
from ckptlab.checkpoint.targets import BY_KERAS_H5, Target, VariableSpec
from ckptlab.errors import UsageError

__all__ = ["OPTIMIZER_PREFIX", "keras_h5_target", "optimizer_rule"]

OPTIMIZER_PREFIX = "optimizer/vars/"
LAYOUT_NOTE = ("Keras 3 .weights.h5 files are matched by the place of each layer in the "
               "model (attribute name, or class and position in a list such as "
               "'layers/dense_1'), not by layer name: renaming a layer of a Sequential or "
               "functional model changes nothing, inserting one shifts the later ones.")


def _own_variables(model: Any) -> dict[str, list[str]]:
    """Layer or optimizer name -> paths of its own variables, in the order Keras saves them."""
    owned: dict[str, list[str]] = {}
    try:
        for layer in model._flatten_layers(include_self=True, recursive=True):
            variables = list(layer._trainable_variables) + list(layer._non_trainable_variables)
            owned.setdefault(layer.name, [v.path for v in variables])
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None:
            owned.setdefault(optimizer.name, [v.path for v in optimizer.variables])
    except (AttributeError, TypeError):  # labels are a courtesy; the layout is what counts
        pass
    return owned


def _label(key: str, layer_names: dict[str, str], owned: dict[str, list[str]]) -> str:
    group, _, position = key.rpartition("/vars/")
    paths = owned.get(layer_names.get(group, ""), [])
    return paths[int(position)] if position.isdigit() and int(position) < len(paths) else ""


def keras_h5_target(model: Any) -> Target:
    """Specs named by h5 key ('layers/dense/vars/0'), labelled with the model's own paths."""
    if not getattr(model, "built", True):
        raise UsageError(
            "The Keras model has not been built yet, so it has no weights to match.",
            why="Keras 3 creates a layer's weights when the model first sees data; "
                "load_weights refuses an unbuilt model for the same reason.",
            fix="Call the model once on example data (model(x)) or model.build(shape) first.",
            received=type(model).__name__)
    with tempfile.TemporaryDirectory(prefix="ckptlab-layout-") as directory:
        path = os.path.join(directory, "layout.weights.h5")
        model.save_weights(path)
        layout = read_weights_h5(path)
        layer_names = h5_layer_names(path)
    owned = _own_variables(model)
    specs = tuple(VariableSpec(v.key, v.shape, v.dtype, _label(v.key, layer_names, owned))
                  for v in layout.variables)
    return Target(specs, BY_KERAS_H5, (LAYOUT_NOTE,))


def optimizer_rule(specs: tuple[VariableSpec, ...], index: CheckpointIndex
                   ) -> tuple[set[str], tuple[str, ...]]:
    """Keras 3 restores an optimizer all or nothing: (spec names it skips, note)."""
    wanted = [s for s in specs if s.name.startswith(OPTIMIZER_PREFIX)]
    stored = [v for v in index.variables if v.key.startswith(OPTIMIZER_PREFIX)]
    if not wanted or len(wanted) == len(stored):
        return set(), ()
    note = (f"The model's optimizer has {len(wanted)} variables and the file's has "
            f"{len(stored)}: Keras 3 load_weights then skips the whole optimizer with only a "
            "warning, so its state (step count, moments) starts from scratch. To resume "
            "training, build it first: model.optimizer.build(model.trainable_variables).")
    return {s.name for s in wanted}, (note,)
