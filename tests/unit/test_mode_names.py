"""The mode vocabulary (ckptlab.mode_names): strings, labels and accepted spellings."""

from __future__ import annotations

from ckptlab.mode_names import LABELS, MODES, label, mode_of
from ckptlab.render.palette import MODE_LOOK


def test_modes_are_tf_estimators_strings_in_order():
    assert MODES == ("train", "eval", "infer")  # ckptlab.estimator.ModeKeys uses these


def test_every_spelling_a_person_may_write_is_accepted():
    for written in ("predict", "PREDICT", "infer"):
        assert mode_of(written) == "infer"
    assert mode_of("Eval") == "eval" and mode_of("serve") is None


def test_views_show_the_same_label_for_a_mode():
    assert [label(mode) for mode in MODES] == ["TRAIN", "EVAL", "PREDICT"]
    assert {mode: look[1] for mode, look in MODE_LOOK.items()} == LABELS
    assert label("custom") == "custom"
