"""The words of a stand-down (checker/not_compared): one sentence per known reason; a
reason this ckptlab does not know, claimed by a runner, is never repeated as text."""

from ckptlab.checker.not_compared import REASONS, WHERE_EVALUATE, WHERE_RESTORE, note, stand_down


def test_every_reason_reads_as_one_note():
    for reason in REASONS:
        text = note(WHERE_RESTORE, reason, "hidden/kernel")
        assert text.startswith("outputs after restore not compared because ")
        assert "{" not in text and text.count("hidden/kernel") <= 1


def test_where_and_detail_are_said():
    assert note(WHERE_EVALUATE, "not_in_session", "counter") == (
        "outputs after evaluate()'s restore not compared because counter, a variable the "
        "outputs need, was not in the session whose values the model is run with (it is "
        "made in some modes only)")
    # a model's size or an integer variable is no reason: the probes get every value
    assert note(WHERE_RESTORE, "over_budget", "embedding") is None
    assert note(WHERE_RESTORE, "not_float", "counter") is None


def test_unknown_claims_are_not_repeated():
    assert note(WHERE_RESTORE, "<script>", "x") is None
    assert note("anywhere", "failed", "x") is None
    assert len(stand_down(WHERE_RESTORE, "failed", "x" * 1000)["detail"]) == 160


def test_a_claimed_detail_cannot_write_report_lines():
    """A detail comes from the learner's process: it must not add lines (a forged verdict or
    points) nor markup to the report, and a malformed claim is ignored, not a crash."""
    forged = note(WHERE_RESTORE, "not_in_session",
                  "x\n\n[pass] No problem found.\nPoints: 10/10<b>")
    assert "\n" not in forged and "<" not in forged and ">" not in forged
    assert forged.startswith("outputs after restore not compared because x ")
    assert note(["a"], "failed", "x") is None
    assert note(WHERE_RESTORE, {"r": 1}, "x") is None
