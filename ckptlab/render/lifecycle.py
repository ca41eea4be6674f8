"""An Estimator session's lifecycle, summarised from its events (ckptlab.events).

Pure Python: `summarize(events)` turns the event list into marks on lanes (API call,
input_fn, model_fn, graph built, session, restore, save, warning), one span per API call
and the counts a learner compares ("10 predict() calls, 10 graphs, 10 restores"). The
plotly figure, the HTML page and the widget all draw from a `LifecycleSummary`.

Static HTML of Estimator lifecycles: what GitHub, nbviewer and exported pages show.

No scripts: a table of counts with the sessions side by side, then one row per API call
per session. Every colour comes with its text label, so the page reads the same when a
viewer strips styles.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from ckptlab.events import Event
from ckptlab.render.palette import FONT_FAMILY, FONT_SIZE, LANE_LOOK

__all__ = ["LANES", "LANE_LABELS", "CallSpan", "LifecycleSummary", "Mark", "describe",
           "events_of", "lifecycle_html", "summarize"]


# (lane id, label), top to bottom; the same words in the figure, the HTML and the widget
LANES: tuple[tuple[str, str], ...] = tuple((lane, label) for lane, (_, label)
                                           in LANE_LOOK.items())
LANE_LABELS = dict(LANES)
LANE_OF_KIND = {
    "call_begin": "call", "input_fn_called": "input_fn", "model_fn_called": "model_fn",
    "graph_built": "graph", "session_created": "session", "checkpoint_restored": "restore",
    "checkpoint_saved": "save", "warning": "warning", "log": "warning",
}


@dataclass(frozen=True)
class Mark:
    """One event drawn on a lane."""

    seq: int
    call: int
    time: float
    lane: str
    text: str  # one line for a person, e.g. "restore model.ckpt-3 (2 variables)"


@dataclass(frozen=True)
class CallSpan:
    """One API call from call_begin to call_end (end is None while it still runs)."""

    call: int
    api: str
    begin: float
    end: float | None
    status: str  # "ok", "error" or "running"
    error: str = ""


@dataclass(frozen=True)
class LifecycleSummary:
    name: str
    marks: tuple[Mark, ...]
    calls: tuple[CallSpan, ...]
    counts: dict[str, int]  # lane id -> number of marks ("call" counts API calls)
    apis: dict[str, int]  # api name -> number of calls
    variables: int  # variable_created events
    events: int  # events included (after `upto`)
    examples: int | None = None  # examples served, when the caller knows it

    @property
    def duration(self) -> float:
        ends = [c.end for c in self.calls if c.end is not None] + [m.time for m in self.marks]
        return max(ends, default=0.0)

    @property
    def restores_per_example(self) -> float | None:
        if not self.examples:
            return None
        return self.counts["restore"] / self.examples

    def headline(self) -> str:
        """E.g. '10 API calls (predict x10): 10 graphs built, 10 restores, 0 saves'."""
        apis = ", ".join(f"{api} x{n}" for api, n in self.apis.items())
        calls = self.counts["call"]
        text = (f"{calls} API call{'s' * (calls != 1)}" + (f" ({apis})" if apis else "")
                + f": {_plural(self.counts['graph'], 'graph')} built, "
                + f"{_plural(self.counts['restore'], 'restore')}, "
                + _plural(self.counts["save"], "save"))
        if self.examples:
            per = self.restores_per_example
            text += (f"; {_plural(self.examples, 'example')} served, "
                     f"{per:.2g} restore{'s' * (per != 1)} per example")
        return text


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def _short_path(path: Any) -> str:
    return str(path).replace("\\", "/").rsplit("/", 1)[-1]


def describe(event: Event) -> str:
    """One line a learner can read, for the event's lane and the detail panel."""
    data, kind = event.data, event.kind
    if kind in ("call_begin", "call_end"):
        verb = "begins" if kind == "call_begin" else f"ends ({data.get('status', 'ok')})"
        error = f": {data.get('error')}: {data.get('message', '')}" if data.get("error") else ""
        return f"{data.get('api')}() {verb}{error}"
    if kind in ("input_fn_called", "model_fn_called"):
        return f"{kind.split('_called')[0]} called, mode {data.get('mode')!r}, " \
               f"graph {data.get('graph')}"
    if kind == "graph_built":
        return f"graph {data.get('graph')} built: {data.get('ops', '?')} ops"
    if kind == "session_created":
        return f"session created on graph {data.get('graph')}"
    if kind == "checkpoint_restored":
        return (f"restore {_short_path(data.get('path'))} "
                f"({data.get('variables', '?')} variables)")
    if kind == "checkpoint_saved":
        return f"save {_short_path(data.get('path'))}"
    if kind == "variable_created":
        return f"variable {data.get('name')} {data.get('shape')} created in graph " \
               f"{data.get('graph')}"
    return str(data.get("message", kind))


def events_of(source: Any) -> list[Event]:
    """Events from a Recorder, anything with a `.recorder` (an Estimator), or a list of
    Event objects or their dicts."""
    source = getattr(source, "recorder", source)
    items = getattr(source, "events", source)
    return [item if isinstance(item, Event) else Event(**item) for item in items]


def summarize(events: Iterable[Event], name: str = "session", examples: int | None = None,
              upto: int | None = None) -> LifecycleSummary:
    """Summarise `events` (only those with seq <= upto, when given)."""
    chosen = [e for e in events if upto is None or e.seq <= upto]
    marks, spans, apis, variables = [], {}, {}, 0
    for event in chosen:
        if event.kind == "variable_created":
            variables += 1
        elif event.kind == "call_begin":
            api = str(event.data.get("api"))
            apis[api] = apis.get(api, 0) + 1
            spans[event.call] = CallSpan(event.call, api, event.time, None, "running")
        elif event.kind == "call_end" and event.call in spans:
            begun = spans[event.call]
            spans[event.call] = CallSpan(begun.call, begun.api, begun.begin, event.time,
                                         str(event.data.get("status", "ok")),
                                         str(event.data.get("error") or ""))
        lane = LANE_OF_KIND.get(event.kind)
        if lane:
            marks.append(Mark(event.seq, event.call, event.time, lane, describe(event)))
    counts = {lane: 0 for lane, _ in LANES}
    for mark in marks:
        counts[mark.lane] += 1
    return LifecycleSummary(name, tuple(marks), tuple(spans.values()), counts, apis,
                            variables, len(chosen), examples)


FONT = f"font-family: {FONT_FAMILY}; font-size: {FONT_SIZE}px"
CELL = "padding: 2px 10px; border-bottom: 1px solid #e5e5e5; text-align: right"
HEAD = "padding: 2px 10px; border-bottom: 1px solid #999; text-align: right"


def _lane_cell(lane: str) -> str:
    colour, _ = LANE_LOOK[lane]
    swatch = (f'<span style="display:inline-block; width:10px; height:10px; '
              f'background:{colour}; margin-right:6px"></span>')
    return f'<td style="padding: 2px 10px; text-align: left">{swatch}{LANE_LABELS[lane]}</td>'


def _counts_table(summaries: Sequence[LifecycleSummary]) -> str:
    head = "".join(f'<th style="{HEAD}">{escape(s.name)}</th>' for s in summaries)
    rows = []
    for lane, _ in LANES:
        cells = "".join(f'<td style="{CELL}">{s.counts[lane]}</td>' for s in summaries)
        rows.append(f"<tr>{_lane_cell(lane)}{cells}</tr>")
    if any(s.examples for s in summaries):
        served = "".join(f'<td style="{CELL}">{s.examples or "-"}</td>' for s in summaries)
        ratio = "".join(
            f'<td style="{CELL}">'
            f'{"-" if s.restores_per_example is None else f"{s.restores_per_example:.2g}"}</td>'
            for s in summaries)
        rows.append(f'<tr><td style="padding: 2px 10px">examples served</td>{served}</tr>')
        rows.append(f'<tr><td style="padding: 2px 10px"><b>restores per example</b></td>'
                    f"{ratio}</tr>")
    return (f'<table style="border-collapse: collapse; margin: 6px 0">'
            f'<thead><tr><th style="{HEAD}; text-align: left">counts</th>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def _calls_table(summary: LifecycleSummary) -> str:
    lanes = [lane for lane, _ in LANES[1:]]
    head = "".join(f'<th style="{HEAD}">{LANE_LABELS[lane]}</th>' for lane in lanes)
    rows = []
    for span in summary.calls:
        per_lane = {lane: 0 for lane in lanes}
        for mark in summary.marks:
            if mark.call == span.call and mark.lane in per_lane:
                per_lane[mark.lane] += 1
        seconds = "running" if span.end is None else f"{span.end - span.begin:.3f} s"
        status = span.status + (f": {escape(span.error)}" if span.error else "")
        cells = "".join(f'<td style="{CELL}">{per_lane[lane]}</td>' for lane in lanes)
        rows.append(f'<tr><td style="{CELL}">{span.call}</td>'
                    f'<td style="{CELL}; text-align: left">{escape(span.api)}()</td>'
                    f'<td style="{CELL}; text-align: left">{status}</td>{cells}'
                    f'<td style="{CELL}">{seconds}</td></tr>')
    return (f'<table style="border-collapse: collapse; margin: 4px 0 10px 0"><thead><tr>'
            f'<th style="{HEAD}">#</th><th style="{HEAD}; text-align: left">API call</th>'
            f'<th style="{HEAD}; text-align: left">status</th>{head}'
            f'<th style="{HEAD}">duration</th></tr></thead><tbody>{"".join(rows)}</tbody>'
            f"</table>")


def lifecycle_html(summaries: Sequence[LifecycleSummary], title: str = "Estimator lifecycle"
                   ) -> str:
    """Counts side by side, then each session's API calls with what each one did."""
    parts = [f'<div class="ckptlab-lifecycle" style="{FONT}">',
             f'<div style="font-weight: 600; font-size: 15px">{escape(title)}</div>']
    if not summaries:
        parts.append("<p>No events recorded yet.</p></div>")
        return "".join(parts)
    parts.append(_counts_table(summaries))
    for summary in summaries:
        parts.append(f'<div style="font-weight: 600; margin-top: 6px">{escape(summary.name)}: '
                     f"{escape(summary.headline())}</div>")
        parts.append(_calls_table(summary))
    parts.append("</div>")
    return "".join(parts)
