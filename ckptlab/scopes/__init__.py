"""TensorFlow naming rules and the scope tree: the one place that knows how TF names things.

Use it to normalise names (``strip_output_suffix``), split scopes, detect auto-numbered
names (``split_auto_number``, ``strip_auto_numbers``), recognise optimizer slots
(``slot_of``) and step counters, classify checkpoint keys (``classify``), explain why two
names probably mean one variable (``rename_reason``, ``suggest_renames``) and build a
tree with totals (``build_tree``). Pure Python; no TensorFlow.
"""

from ckptlab.scopes.names import (
    ATTRIBUTES_MARKER,
    KIND_OPTIMIZER,
    KIND_OTHER,
    KIND_STEP,
    KIND_WEIGHT,
    KINDS,
    OBJECT_GRAPH_KEY,
    OPTIMIZER_SLOT_MARKER,
    VARIABLE_VALUE_SUFFIX,
    SlotRef,
    base_name,
    classify,
    is_internal_key,
    is_step_counter,
    join_scope,
    keras3_slot_of_path,
    layer_of,
    object_path,
    parent_scope,
    slot_of,
    split_auto_number,
    split_scope,
    step_of_prefix,
    strip_auto_numbers,
    strip_output_suffix,
)
from ckptlab.scopes.similar import (
    RENAME_AUTO_NUMBER,
    RENAME_LAYER,
    RENAME_SCOPE_PREFIX,
    Rename,
    rename_reason,
    suggest_layer_renames,
    suggest_renames,
)
from ckptlab.scopes.tree import ScopeNode, build_tree

__all__ = [
    "ATTRIBUTES_MARKER", "KINDS", "KIND_OPTIMIZER", "KIND_OTHER", "KIND_STEP", "KIND_WEIGHT",
    "OBJECT_GRAPH_KEY", "OPTIMIZER_SLOT_MARKER", "RENAME_AUTO_NUMBER", "RENAME_LAYER",
    "RENAME_SCOPE_PREFIX", "VARIABLE_VALUE_SUFFIX", "Rename",
    "ScopeNode", "SlotRef", "base_name", "build_tree", "classify", "is_internal_key",
    "is_step_counter", "join_scope", "keras3_slot_of_path", "layer_of", "object_path",
    "parent_scope",
    "rename_reason",
    "slot_of", "split_auto_number", "split_scope", "step_of_prefix", "strip_auto_numbers",
    "strip_output_suffix", "suggest_layer_renames", "suggest_renames",
]
