"""Exercises on the TF2 track: build_model, save(model, optimizer, directory) and
restore(directory), run through a real round trip and compared value by value."""

from __future__ import annotations

from ckptlab.exercises.spec import Case, Exercise, runs_case

__all__ = ["TF2_EXERCISES"]

_MIGRATING = "tutorials/09_migrating_to_tf2.ipynb"

TF2_EXERCISES = (
    Exercise(
        "tf2-round-trip", "Save and restore a Keras model and its optimizer", "tf2",
        ("build_model", "save", "restore"), (
            runs_case(),
            Case("right_file", 1, ("WRONG_CHECKPOINT_PATH", "FORMAT_MISMATCH"),
                 "restore reads the checkpoint that save wrote"),
            Case("paths_match", 1, ("OBJECT_PATH_MISMATCH", "UNRESOLVED_OBJECTS",
                                    "RESTORE_INTO_UNBUILT_MODEL"),
                 "objects are attached under the same paths and built first"),
            Case("values_back", 2, ("VALUES_NOT_RESTORED", "SHAPE_MISMATCH"),
                 "model and optimizer hold the saved values after restore"),
        ),
        "Write save(model, optimizer, directory) and restore(directory).",
        "07_tf2_object_checkpoints", (
            "restore() needs the prefix save() wrote; a directory is not a prefix.",
            "Checkpoint values are found by attribute path: model=..., optimizer=... both "
            "times.",
            "Call the new model once on a batch before restoring, and assert with "
            "assert_existing_objects_matched().",
        )),
    Exercise(
        "keras-weights-files", "Keras weights in the Keras format", "tf2",
        ("build_model", "save", "restore"), (
            runs_case(),
            Case("same_format", 2, ("FORMAT_MISMATCH", "WRONG_CHECKPOINT_PATH"),
                 "the weights file is read back by the loader of its own format"),
            Case("values_back", 2, ("VALUES_NOT_RESTORED", "SHAPE_MISMATCH"),
                 "the restored model holds the saved weights"),
        ),
        "Write save(model, optimizer, directory) with Keras' .weights.h5 format and "
        "restore(directory) that returns a model with those weights.",
        "08_keras_weights_and_formats", (
            "Keras 3 picks the format from the file name: it must end in .weights.h5.",
            "A file written by model.save_weights is read by model.load_weights, not by "
            "tf.train.Checkpoint.",
            "load_weights needs a model with the same layers and sizes as the saved one.",
        )),
    Exercise(
        "tf2-from-name-based", "A legacy name-based checkpoint into a Keras model", "tf2",
        ("build_model", "save", "restore"), (
            runs_case(),
            Case("read_by_name", 1, ("OBJECT_PATH_MISMATCH", "WRONG_CHECKPOINT_PATH",
                                     "FORMAT_MISMATCH"),
                 "the name-based checkpoint is read by its keys, not by object paths"),
            Case("values_back", 3, ("VALUES_NOT_RESTORED", "SHAPE_MISMATCH"),
                 "every weight of the Keras model holds the value saved under its old name"),
        ),
        "save() is given: it writes a name-based checkpoint with Estimator-style keys. "
        "Write restore(directory) that returns a Keras model holding those values.",
        "09_migrating_to_tf2", (
            "`tf.train.list_variables(prefix)` shows the keys (dnn/hidden/kernel, ...); "
            "tf.train.Checkpoint looks for object paths instead, finds none and says nothing.",
            "`tf.train.load_checkpoint(prefix).get_tensor(key)` returns one saved value.",
            "Build the model, then assign each value to the layer weight that NAME_MAP names.",
        ), sections=(
            ("OBJECT_PATH_MISMATCH", f"{_MIGRATING}#names-and-paths"),
            ("WRONG_CHECKPOINT_PATH", f"{_MIGRATING}#names-and-paths"),
            ("FORMAT_MISMATCH", f"{_MIGRATING}#names-and-paths"),
            ("SHAPE_MISMATCH", f"{_MIGRATING}#name-map"),
            ("VALUES_NOT_RESTORED", f"{_MIGRATING}#validate"),
        ), fixes=(
            ("OBJECT_PATH_MISMATCH",
             "This checkpoint is name-based (a Saver wrote it): tf.train.Checkpoint looks "
             "for object paths and finds none. Read each value by its key and assign it:\n"
             "reader = tf.train.load_checkpoint(tf.train.latest_checkpoint(directory))\n"
             "for key, (index, attr) in NAME_MAP.items():\n"
             "    getattr(model.layers[index], attr).assign(reader.get_tensor(key))"),
        )),
)
