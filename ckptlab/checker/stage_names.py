"""THE names of a check's stage processes: runners/tracks.STAGES lists each track's stages
by them, the grader's vault keeps each stage's evidence under them, and the judge reads
that evidence by them (free of TensorFlow and of the runners, for the judge)."""

from __future__ import annotations

__all__ = ["ALL", "PREDICTING", "RESTORE", "SAVE", "TRACE", "TRAIN", "in_groups", "in_turn"]

ALL = "all"  # the whole track in one process (the default stage)
# Estimator: trace the modes (beside train), then the model as trained on the probes
TRACE = "trace"
TRAIN = "train"  # Estimator: train; its model_dir is copied after it
SAVE = "save"  # TF2: build, train and save
RESTORE = "restore"  # both tracks: a fresh process that restores what the first one saved
# Estimator: a fresh process beside restore: predict(), then train() resumed from a copy
PREDICTING = "predict"


def in_groups(stages: list[dict]) -> list[list[dict]]:
    """Stage specs in groups run one after the other; a stage with "alongside" runs at the
    same time as the one before it (both start after the group before them ended). A
    stage with "waits_for": NAME gets, as its argument `waiting_fd`, a pipe that reaches
    end of file when the process of stage NAME of its group has exited."""
    groups: list[list[dict]] = []
    for stage in stages:
        if stage.get("alongside") and groups:
            groups[-1].append(stage)
        else:
            groups.append([stage])
    return groups


def in_turn(group: list[dict]) -> list[dict]:
    """A group's stages in the order they run one at a time (with a single CPU, running
    them at once costs memory and saves no time): a stage that another waits for first."""
    names = {stage.get("name") for stage in group}
    placed: list[dict] = []
    while len(placed) < len(group):
        ready = [stage for stage in group if stage not in placed
                 and (stage.get("waits_for") not in names
                      or any(done.get("name") == stage.get("waits_for") for done in placed))]
        if not ready:
            raise ValueError(f"stages wait for each other in a circle: {sorted(names)}")
        placed.append(ready[0])
    return placed
