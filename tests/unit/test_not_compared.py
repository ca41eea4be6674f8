"""The words of a stand-down (checker/not_compared): one sentence per known reason; a
reason this ckptlab does not know, claimed by a runner, is never repeated as text."""

from ckptlab.checker.not_compared import REASONS, WHERE_EVALUATE, WHERE_RESTORE, note, stand_down


def test_every_reason_reads_as_one_note():
    for reason in REASONS:
        text = note(WHERE_RESTORE, reason, "hidden/kernel")
        assert text.startswith("outputs after restore not compared because ")
        assert "{" not in text and text.count("hidden/kernel") <= 1


def test_where_and_detail_are_said():
    assert note(WHERE_EVALUATE, "not_float", "counter") == (
        "outputs after evaluate()'s restore not compared because counter is not a "
        "floating-point variable, and a check reports only floating-point values")
    assert "20,000" in note(WHERE_RESTORE, "over_budget", "embedding")


def test_unknown_claims_are_not_repeated():
    assert note(WHERE_RESTORE, "<script>", "x") is None
    assert note("anywhere", "failed", "x") is None
    assert len(stand_down(WHERE_RESTORE, "failed", "x" * 1000)["detail"]) == 160
