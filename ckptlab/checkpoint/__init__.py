"""Read checkpoints into a pure index, compare two, and dry-run a restore.

`inspect_checkpoint(path)` reads metadata only (no TensorFlow import for TF bundles);
`read_value(index, key)` reads one variable; `diff_checkpoints(a, b)` compares two;
`match_restore(checkpoint, target)` dry-runs a restore into variables, a Keras model
(object-based or Keras 3 `.weights.h5`); `ckptlab.match_restore` adds `model_fn=..., mode=...`.
"""

from ckptlab.checkpoint.diff import CheckpointDiff, ValueChange, diff_checkpoints
from ckptlab.checkpoint.load import inspect_checkpoint
from ckptlab.checkpoint.match import MatchReport, Mismatch, VariableSpec, match_restore
from ckptlab.checkpoint.records import CheckpointIndex, FileInfo, VariableInfo
from ckptlab.checkpoint.values import read_value

__all__ = ["CheckpointDiff", "CheckpointIndex", "FileInfo", "MatchReport", "Mismatch",
           "ValueChange", "VariableInfo", "VariableSpec", "diff_checkpoints",
           "inspect_checkpoint", "match_restore", "read_value"]
