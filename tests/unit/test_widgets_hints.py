"""Hints: one hint per click, through the public method and the real button; HTML fallback."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

import ckptlab
from ckptlab.errors import UsageError
from ckptlab.exercises import EXERCISES, Exercise
from ckptlab.widgets import hints as hints_module
from ckptlab.widgets.hints import Hints

EXERCISE = EXERCISES["estimator-spec-per-mode"]


def test_hints_are_revealed_one_at_a_time():
    hints = ckptlab.Hints(EXERCISE.id)
    assert hints.revealed == 0 and "Hint 1" not in hints.shown.value
    assert hints.button.description == f"Show next hint (1 of {len(EXERCISE.hints)})"
    assert hints.reveal_next() == EXERCISE.hints[0]
    assert "Hint 1" in hints.shown.value and "Hint 2" not in hints.shown.value
    for expected in EXERCISE.hints[1:]:
        assert hints.reveal_next() == expected
    assert hints.reveal_next() is None
    assert hints.revealed == len(EXERCISE.hints) and hints.button.disabled
    assert hints.button.description == f"All {len(EXERCISE.hints)} hints shown"
    hints.hide_all()
    assert hints.revealed == 0 and hints.shown.value == "" and not hints.button.disabled


def test_the_button_click_reveals_the_next_hint():
    hints = Hints(EXERCISE.id)
    hints.button.click()
    hints.button.click()
    assert hints.revealed == 2 and "Hint 2:" in hints.shown.value


def test_backticks_become_code_and_text_is_escaped():
    exercise = Exercise("x", "A <title>", "tf2", (), (), "s", "n", ("use `a<b`", "two"))
    hints = Hints(exercise)
    hints.reveal_next()
    assert "<code>a&lt;b</code>" in hints.shown.value
    assert "A &lt;title&gt;" in hints._repr_html_()


class _Details(HTMLParser):
    def __init__(self):
        super().__init__()
        self.details, self.open_details, self.summaries = 0, 0, []
        self._in_summary = False

    def handle_starttag(self, tag, attrs):
        if tag == "details":
            self.details += 1
            self.open_details += any(name == "open" for name, _ in attrs)
        self._in_summary = self._in_summary or tag == "summary"

    def handle_endtag(self, tag):
        self._in_summary = self._in_summary and tag != "summary"

    def handle_data(self, data):
        if self._in_summary:
            self.summaries.append(data)


def test_html_fallback_has_one_closed_details_per_hint():
    hints = Hints(EXERCISE.id)
    parser = _Details()
    parser.feed(hints._repr_html_())
    count = len(EXERCISE.hints)
    assert (parser.details, parser.open_details) == (count, 0)
    assert parser.summaries == [f"Hint {n} of {count}" for n in range(1, count + 1)]
    bundle = hints._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/html"] == hints._repr_html_()


def test_unknown_exercise_is_a_usage_error():
    with pytest.raises(UsageError, match="No exercise"):
        Hints("no-such-exercise")


def test_hints_module_imports_neither_tensorflow_nor_plotly():
    from tests.unit.test_import_rules import imported_packages

    source = Path(hints_module.__file__).read_text()
    assert imported_packages(source) & {"tensorflow", "plotly", "keras"} == set()
