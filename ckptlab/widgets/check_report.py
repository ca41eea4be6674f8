"""`CheckReport`: the checker's findings as collapsible cards, with a summary line.

A thin view over a `ckptlab.checker.findings.Report`: one card per finding (what happened,
an evidence table, why, the fix as a code snippet, the tutorial link), a severity filter,
and the summary of passes and failures. Every control is backed by a public method.
"""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as widgets

from ckptlab.errors import UsageError
from ckptlab.render.report import (
    finding_body_html,
    finding_link_html,
    finding_title,
    summary_html,
)
from ckptlab.widgets.common import StaticFallback

__all__ = ["CheckReport"]

SEVERITY_FILTERS = ("all", "error", "warning", "info")


def _card(finding) -> widgets.VBox:
    """The card: its text as HTML, then the "Learn more" link in an output area. Jupyter
    resolves and opens links of outputs relative to the notebook (an HTML widget's link
    would be resolved against the page's URL, and open JupyterLab again in a new tab)."""
    from IPython.display import HTML

    link = widgets.Output()
    link.append_display_data(HTML(finding_link_html(finding)))
    card = widgets.VBox([widgets.HTML(finding_body_html(finding, link=False)), link])
    card.add_class("ckptlab-finding")
    return card


class CheckReport(StaticFallback, widgets.VBox):
    """CheckReport(report): a Report, or its dict (`Report.to_dict()`)."""

    def __init__(self, report: Any, **kwargs: Any):
        if isinstance(report, dict):
            from ckptlab.checker.findings import Report

            report = Report.from_dict(report)
        self.report = report
        self.summary = widgets.HTML(summary_html(report))
        self.severity_picker = widgets.ToggleButtons(
            options=list(SEVERITY_FILTERS), tooltips=[f"show {s} findings" for s in
                                                      SEVERITY_FILTERS])
        self.cards = widgets.Accordion(layout={"width": "100%"})
        empty = "" if report.findings else (
            "No problem found: the save/restore round trip kept structure and values.")
        self.notes = widgets.HTML(empty + "".join(f"<div><i>note: {escape(n)}</i></div>"
                                                  for n in report.notes))
        self.severity_picker.observe(lambda _: self._render(), names="value")
        super().__init__([self.summary, self.severity_picker, self.cards, self.notes],
                         **kwargs)
        self.add_class("ckptlab-check-report")
        self._render()

    # ----- public actions -------------------------------------------------------------
    @property
    def shown(self) -> list[str]:
        """Codes of the findings shown as cards, in order."""
        return [f.code for f in self._visible()]

    @property
    def expanded(self) -> str | None:
        """Code of the open card, if any."""
        index = self.cards.selected_index
        return None if index is None else self.shown[index]

    def expand(self, code: str) -> None:
        """Open the card of the finding with this code (closing the open one)."""
        if code not in self.shown:
            raise UsageError(f"No finding {code!r} is shown.",
                             fix=f"Use one of {self.shown} (show_severity('all') shows every "
                                 "finding).", received=code)
        self.cards.selected_index = self.shown.index(code)

    def card_html(self, code: str) -> str:
        """The HTML a shown card displays (its text, then its link's output)."""
        body, link = self.cards.children[self.shown.index(code)].children
        return body.value + "".join(o["data"]["text/html"] for o in link.outputs)

    def collapse(self) -> None:
        self.cards.selected_index = None

    def show_severity(self, severity: str) -> None:
        """Only findings of this severity ('error', 'warning', 'info') or 'all'."""
        if severity not in SEVERITY_FILTERS:
            raise UsageError("Unknown severity.", fix=f"Use one of {SEVERITY_FILTERS}.",
                             received=severity)
        self.severity_picker.value = severity

    def _repr_html_(self) -> str:
        from ckptlab.render.report import report_html

        return summary_html(self.report) + report_html(self.report)

    # ----- internals -------------------------------------------------------------------
    def _visible(self) -> list:
        severity = self.severity_picker.value
        return [f for f in self.report.findings if severity in ("all", f.severity)]

    def _render(self) -> None:
        findings = self._visible()
        self.cards.selected_index = None
        self.cards.children = [_card(f) for f in findings]
        self.cards.titles = tuple(finding_title(f) for f in findings)
