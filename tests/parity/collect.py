"""Turn what one scenario left behind into comparable JSON: trace, files, checkpoints.

Everything here is normalised so that the real tf.estimator and the engine, run in two
different directories and TensorFlow versions, produce equal JSON when they behave alike:
paths become placeholders, time stamps and host names disappear, numbers that carry
meaning (checkpoint steps) stay.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

_TIMESTAMP_DIR = re.compile(r"^(temp-)?\d{9,}$")
_TEMP = re.compile(r"/tmp/tmp[\w-]+")
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")
_EXPORT_TIMESTAMP = re.compile(r"/\d{10}/")  # SavedModel export directories
_STACK_MARKERS = ("\n\nOriginal stack trace", "\n\nCaused by op", "\n\nErrors may have")
# graph-op creation stacks TensorFlow pastes into errors: where the harness ran, not what
_STACK_LINES = re.compile(r"^(\s+File \".*|Detected at node .* defined at .*)\n", re.MULTILINE)


def normalise_part(part: str) -> str:
    if part.startswith("events.out.tfevents."):
        return "events.out.tfevents.*"
    match = _TIMESTAMP_DIR.match(part)
    if match:
        return f"{match.group(1) or ''}<timestamp>"
    return part


def normalise_text(text: str, replacements: dict[str, str]) -> str:
    for path, label in sorted(replacements.items(), key=lambda item: -len(item[0])):
        text = text.replace(path, label)
    text = _STACK_LINES.sub("", _ADDRESS.sub("", _TEMP.sub("<tmp>", text)))
    text = _EXPORT_TIMESTAMP.sub("/<timestamp>/", text)
    for marker in _STACK_MARKERS:
        text = text.split(marker)[0]
    return text.strip()


def files_under(root: Path) -> list[str]:
    """Relative file paths, normalised and de-duplicated (events files merge into one)."""
    found = set()
    for folder, _, names in os.walk(root):
        for name in names:
            relative = (Path(folder) / name).relative_to(root).parts
            found.add("/".join(normalise_part(part) for part in relative))
    return sorted(found)


def checkpoint_state(folder: Path) -> dict[str, Any]:
    import tensorflow as tf

    state = tf.train.get_checkpoint_state(str(folder))
    if state is None:
        return {"unreadable": True}
    return {"latest": os.path.basename(state.model_checkpoint_path),
            "all": [os.path.basename(path) for path in state.all_model_checkpoint_paths]}


def checkpoint_contents(prefix: Path, rounded) -> dict[str, str]:
    """key -> 'shape dtype' and the values rounded (only their sum past 8 values)."""
    import tensorflow as tf

    reader = tf.train.load_checkpoint(str(prefix))
    shapes, dtypes = reader.get_variable_to_shape_map(), reader.get_variable_to_dtype_map()
    contents = {}
    for key in sorted(shapes):
        text = f"{shapes[key]} {dtypes[key].name}"
        if key != "_CHECKPOINTABLE_OBJECT_GRAPH":
            value = reader.get_tensor(key)
            size = getattr(value, "size", 1)
            text += f" = {rounded(value)}" if size <= 8 else f" sum={rounded(value.sum())}"
        contents[key] = text
    return contents


def describe_dir(root: Path, rounded) -> dict[str, Any]:
    checkpoints = {}
    for index in sorted(root.rglob("*.index")):
        prefix = index.with_suffix("")
        label = "/".join(normalise_part(p) for p in prefix.relative_to(root).parts)
        checkpoints[label] = checkpoint_contents(prefix, rounded)
    states = {state_file.parent.relative_to(root).as_posix(): checkpoint_state(state_file.parent)
              for state_file in sorted(root.rglob("checkpoint")) if state_file.is_file()}
    return {"files": files_under(root), "checkpoint_state": states, "checkpoints": checkpoints}


def _variable_text(data: dict[str, Any]) -> str:
    flags = "" if data.get("trainable", True) else " untrainable"
    flags += " local" if data.get("local") else ""
    return f"{data['name']} {data.get('shape')} {data.get('dtype')}{flags}"


def normalise_trace(recorders: list[Any]) -> list[dict[str, Any]]:
    """Per API call: inputs, model_fn calls (mode, graph ordinal, variables), restores, saves."""
    calls: list[dict[str, Any]] = []
    graphs: dict[tuple[int, Any], int] = {}
    for index, recorder in enumerate(recorders):
        by_call: dict[int, dict[str, Any]] = {}
        for event in recorder.events:
            kind, data = event.kind, event.data
            call = by_call.setdefault(event.call, {
                "estimator": index, "api": None, "status": None, "input_fn": [],
                "model_fn": [], "restored": [], "saved": []})
            if kind == "call_begin":
                call["api"] = data.get("api")
            elif kind == "call_end":
                call["status"] = data.get("status")
                if data.get("error"):
                    call["error"] = data.get("error")
            elif kind == "input_fn_called":
                call["input_fn"].append(data.get("mode"))
            elif kind == "model_fn_called":
                ordinal = graphs.setdefault((index, data.get("graph")), len(graphs))
                call["model_fn"].append({"mode": data.get("mode"), "graph": ordinal,
                                         "variables": [], "_graph": data.get("graph")})
            elif kind == "variable_created" and data.get("name") != "global_step":
                # the Estimator makes global_step before model_fn: whether a recorder
                # counts it is a convention; the checkpoint keys compare it for real
                owner = [m for m in call["model_fn"] if m["_graph"] == data.get("graph")]
                if owner:
                    owner[-1]["variables"].append(_variable_text(data))
            elif kind in ("checkpoint_restored", "checkpoint_saved"):
                key = "restored" if kind == "checkpoint_restored" else "saved"
                call[key].append(os.path.basename(str(data.get("path"))))
        for number in sorted(by_call):
            call = by_call[number]
            for model_fn_call in call["model_fn"]:
                model_fn_call.pop("_graph")
            if call["api"] or any(call[key] for key in ("input_fn", "model_fn", "restored",
                                                         "saved")):
                calls.append(call)
    return calls
