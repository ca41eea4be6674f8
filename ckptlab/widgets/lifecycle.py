"""`LifecycleTimeline`: an Estimator session's API calls, graphs, sessions, restores, saves.

A thin view over events (ckptlab.events): give it an Estimator (its `.recorder`),
a Recorder or a list of events. With a live recorder it redraws while the learner's
cell runs. Several sessions side by side (`add_session`, `show("compare")`) make one
restore per predict() call obvious. Every control is backed by a public method.
"""

from __future__ import annotations

import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field
from html import escape
from typing import Any

import ipywidgets as widgets

from ckptlab.errors import UsageError
from ckptlab.events import Event
from ckptlab.render.figures.lifecycle import comparison_figure, timeline_figure
from ckptlab.render.lifecycle import (
    LANE_LABELS,
    LANE_OF_KIND,
    LANES,
    LifecycleSummary,
    describe,
    events_of,
    lifecycle_html,
    summarize,
)
from ckptlab.render.palette import LANE_LOOK
from ckptlab.widgets.common import StaticFallback, show_figure
from ckptlab.widgets.figure import FigureWidget

__all__ = ["LifecycleTimeline"]

VIEWS = ("timeline", "compare")


@dataclass
class _Session:
    events: list[Event]
    examples: int | None = None
    unsubscribe: Any = None
    steps: list[Event] = field(default_factory=list)  # the events one can step to


def _is_step(event: Event) -> bool:
    """Events drawn on a lane, and call ends (they close an API call's span)."""
    return event.kind in LANE_OF_KIND or event.kind == "call_end"


class LifecycleTimeline(StaticFallback, widgets.VBox):
    """Timeline of one or more Estimator sessions; step through it event by event."""

    def __init__(self, source: Any = None, *, name: str = "session",
                 examples: int | None = None, live: bool = True, redraw_every: float = 0.25,
                 **kwargs: Any):
        self._sessions: dict[str, _Session] = {}
        self.redraw_every = redraw_every  # live: seconds between redraws (0: every event)
        self._lock = threading.RLock()
        self._timer: threading.Timer | None = None
        self._catch_up_pending = False
        self._drawn_at = 0.0
        self._quiet = False  # True while the view itself moves the slider
        self.header = widgets.HTML()
        self.session_picker = widgets.Dropdown(description="session", options=[])
        self.view_picker = widgets.ToggleButtons(
            options=[("timeline", "timeline"), ("compare sessions", "compare")],
            tooltips=["one session, event by event", "counts of all sessions side by side"])
        self.back_button = widgets.Button(description="◀ back", tooltip="one event earlier")
        self.next_button = widgets.Button(description="next ▶", tooltip="one event later")
        self.all_button = widgets.Button(description="show all", tooltip="jump to the end")
        self.step_slider = widgets.IntSlider(description="events", min=0, max=0,
                                             continuous_update=True)
        self.detail = widgets.HTML()
        self.figure = FigureWidget()
        self.session_picker.observe(lambda _: self.show_all(), names="value")
        self.view_picker.observe(lambda _: self._render(), names="value")
        self.step_slider.observe(lambda _: self._quiet or self._render(), names="value")
        self.back_button.on_click(lambda _: self.step_back())
        self.next_button.on_click(lambda _: self.step_forward())
        self.all_button.on_click(lambda _: self.show_all())
        controls = widgets.HBox([self.session_picker, self.view_picker])
        stepper = widgets.HBox([self.back_button, self.step_slider, self.next_button,
                                self.all_button])
        super().__init__([self.header, controls, stepper, self.figure, self.detail],
                         **kwargs)
        self.add_class("ckptlab-lifecycle-timeline")
        if source is not None:
            self.add_session(name, source, examples=examples, live=live)
        else:
            self._render()

    # ----- public actions -------------------------------------------------------------
    def add_session(self, name: str, source: Any, *, examples: int | None = None,
                    live: bool = True) -> LifecycleTimeline:
        """Add (or replace) a session from an Estimator, a Recorder or a list of events.

        With `live=True` and a recorder, new events are drawn as they are emitted.
        """
        if name in self._sessions:
            self._stop(name)
        session = _Session(events_of(source), examples)
        session.steps = [e for e in session.events if _is_step(e)]
        self._sessions[name] = session
        recorder = getattr(source, "recorder", source)
        if live and hasattr(recorder, "subscribe"):
            session.unsubscribe = recorder.subscribe(lambda e, n=name: self._on_event(n, e))
        self.session_picker.options = list(self._sessions)
        self.session_picker.layout.display = "" if len(self._sessions) > 1 else "none"
        if self.session_picker.value == name:
            self.show_all()
        self.session_picker.value = name
        return self

    def select_session(self, name: str) -> None:
        if name not in self._sessions:
            raise UsageError(f"No session named {name!r} in this timeline.",
                             fix=f"Pick one of {list(self._sessions)}.", received=name)
        self.session_picker.value = name

    def show(self, view: str) -> None:
        """'timeline' (the selected session) or 'compare' (all sessions' counts)."""
        if view not in VIEWS:
            raise UsageError("Unknown view.", fix=f"Use one of {VIEWS}.", received=view)
        self.view_picker.value = view

    def step_to(self, position: int) -> None:
        """Show the first `position` events drawn on lanes (0 = none yet)."""
        self.step_slider.value = max(0, min(int(position), self.step_slider.max))

    def step_forward(self) -> None:
        self.step_to(self.step_slider.value + 1)

    def step_back(self) -> None:
        self.step_to(self.step_slider.value - 1)

    def show_all(self) -> None:
        total = len(self._current().steps) if self._sessions else 0
        if self.step_slider.max == total and self.step_slider.value == total:
            self._render()
        self.step_slider.max = total
        self.step_to(total)

    def refresh(self) -> None:
        """Draw the newest events now. While a recorder is live, the view redraws at most
        every `redraw_every` seconds (drawing costs tens of ms; an Estimator call can be
        faster), and catches up right after."""
        with self._lock:
            self._catch_up_pending = False
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._sessions:
                self._quiet = True
                try:
                    at_end = self.step_slider.value == self.step_slider.max
                    self.step_slider.max = len(self._current().steps)
                    if at_end:
                        self.step_slider.value = self.step_slider.max
                finally:
                    self._quiet = False
            self._render()
            self._drawn_at = time.monotonic()

    def stop_following(self) -> None:
        """Stop drawing new events (the recorders keep recording)."""
        for name in self._sessions:
            self._stop(name)

    # ----- state --------------------------------------------------------------------
    @property
    def sessions(self) -> list[str]:
        return list(self._sessions)

    @property
    def position(self) -> int:
        return self.step_slider.value

    def summary(self, name: str | None = None, *, visible: bool = False) -> LifecycleSummary:
        """The summary of a session (default: the selected one); `visible=True`: only up
        to the current step."""
        name = name or self.session_picker.value
        session = self._sessions[name]
        upto = self._upto(session) if visible else None
        return summarize(session.events, name, session.examples, upto)

    def _repr_html_(self) -> str:
        return lifecycle_html([self.summary(name) for name in self._sessions])

    # ----- internals -------------------------------------------------------------------
    def _current(self) -> _Session:
        return self._sessions[self.session_picker.value]

    def _upto(self, session: _Session) -> int:
        position = self.step_slider.value
        return session.steps[position - 1].seq if position else -1

    def _stop(self, name: str) -> None:
        session = self._sessions[name]
        if session.unsubscribe is not None:
            with suppress(ValueError):  # already unsubscribed
                session.unsubscribe()
            session.unsubscribe = None

    def _on_event(self, name: str, event: Event) -> None:
        session = self._sessions.get(name)
        if session is None:
            return
        session.events.append(event)
        if not _is_step(event):
            return
        session.steps.append(event)
        if self.redraw_every <= 0 or time.monotonic() - self._drawn_at >= self.redraw_every:
            self.refresh()
            return
        self._catch_up_later()

    def _catch_up_later(self) -> None:
        """Redraw once the burst of events is over. In a kernel the redraw runs on the
        kernel's own loop, the thread that also applies the front end's messages to the
        figure: drawing from another thread raced them ("dictionary changed size during
        iteration"). Outside a kernel a timer thread does it."""
        loop = _kernel_loop()
        with self._lock:
            if loop is not None:
                if not self._catch_up_pending:
                    self._catch_up_pending = True
                    loop.add_callback(loop.call_later, self.redraw_every, self._catch_up)
            elif self._timer is None:
                self._timer = threading.Timer(self.redraw_every, self.refresh)
                self._timer.daemon = True
                self._timer.start()

    def _catch_up(self) -> None:
        if self._catch_up_pending:
            self.refresh()

    def _render(self) -> None:
        if not self._sessions or self.session_picker.value not in self._sessions:
            self.header.value = "<b>Estimator lifecycle</b>: no events recorded yet."
            return
        session = self._current()
        if self.step_slider.max != len(session.steps):
            self._quiet = True
            try:
                self.step_slider.max = len(session.steps)
            finally:
                self._quiet = False
        visible = self.summary(visible=True)
        compare = self.view_picker.value == "compare"
        summaries = [self.summary(name) for name in self._sessions]
        figure = comparison_figure(summaries) if compare else timeline_figure(
            visible, self._upto(session))
        show_figure(self.figure, figure)
        self.header.value = _header_html(visible)
        self.detail.value = self._detail_html(session)
        for control in (self.back_button, self.next_button, self.all_button,
                        self.step_slider):
            control.disabled = compare

    def _detail_html(self, session: _Session) -> str:
        position, total = self.step_slider.value, len(session.steps)
        if not position:
            return f"Step 0 of {total}: nothing has happened yet."
        event = session.steps[position - 1]
        lane = LANE_OF_KIND.get(event.kind, "call")
        return (f"Step {position} of {total} · call {event.call} · "
                f'<span style="color:{LANE_LOOK[lane][0]}; font-weight:600">'
                f"{LANE_LABELS[lane]}</span>: {escape(describe(event))}")


def _header_html(summary: LifecycleSummary) -> str:
    counts = " · ".join(
        f'<span style="color:{LANE_LOOK[lane][0]}; font-weight:600">{label}</span> '
        f"{summary.counts[lane]}" for lane, label in LANES)
    return (f"<div><b>{escape(summary.name)}</b>: {escape(summary.headline())}</div>"
            f'<div style="font-size: 12px">{counts}</div>')


def _kernel_loop():
    """The running IPython kernel's event loop, or None outside a kernel."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return getattr(getattr(get_ipython(), "kernel", None), "io_loop", None)
