"""Text and HTML views of a mode trace (`ckptlab.trace.mode_records.ModeReport`).

Rows of the ModeExplorer's columns, and the restore plan of EVAL/PREDICT against TRAIN.

Pure Python over a `ModeReport` (ckptlab.trace.mode_records). The TRAIN checkpoint holds
TRAIN's saved variables plus what the Estimator creates (global_step); an Estimator's
Saver restores by variable name, so each EVAL/PREDICT variable is:
matched (same name, same shape), missing (name not in the checkpoint: restoring fails),
mismatch (same name, other shape) or swapped (same name and shape, but TRAIN made that
name with another line of code: auto-numbered names shifted, values silently swapped).
Checkpoint values no variable asks for are "unused".

HTML of a mode trace in three columns (TRAIN, EVAL, PREDICT), for the ModeExplorer's
columns and its static fallback: variables in creation order with their flags (and, with
the restore plan, their state against the TRAIN checkpoint), collections, EstimatorSpec
fields. Every state has a colour AND its text label (ckptlab.render.palette).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from html import escape

from ckptlab.mode_names import TRAIN, label
from ckptlab.render.palette import FONT_FAMILY, FONT_SIZE, MODE_LOOK, STATE_LOOK, badge_html
from ckptlab.render.units import shape_text
from ckptlab.scopes.names import KIND_WEIGHT, classify

__all__ = ["VariableRow", "differs", "findings", "mode_column_html", "mode_explorer_html",
           "mode_report_html", "mode_report_text", "mode_rows", "notes", "problems"]




def _modes(names) -> str:
    return ", ".join(label(name) for name in names)


def findings(report) -> list[str]:
    """The problems, then the notes about harmless differences."""
    return problems(report) + notes(report)


def problems(report) -> list[str]:
    """One sentence per problem, most harmful first (failures, missing, shifts, shapes)."""
    comparison, lines = report.comparison, []
    for trace in report.modes:
        if trace.error:
            where = f" at {trace.error.origin}" if trace.error.origin else ""
            lines.append(f"{label(trace.mode)} failed to build{where}: "
                         f"{trace.error.type}: {trace.error.message}")
    for mode, names in comparison.missing_from_train_checkpoint.items():
        lines.append(f"{label(mode)} creates {len(names)} variable(s) a TRAIN checkpoint will "
                     f"not contain: {', '.join(names)}. Restoring fails with 'Key "
                     f"{names[0]} not found in checkpoint'; create them in every mode.")
    for shift in comparison.shifted:
        mode = label(shift.mode)
        if shift.other_origin:
            lines.append(f"'{shift.name}' is built by {shift.origin} in TRAIN but by "
                         f"{shift.other_origin} in {mode}: if these are different layers, "
                         f"{mode} silently restores the other layer's weights; give each layer "
                         "an explicit name=.")
        else:
            lines.append(f"{shift.origin} makes '{shift.train_name}' in TRAIN but "
                         f"'{shift.name}' in {mode}: {shift.detail}. With equal shapes the "
                         "weights are silently swapped; give each layer an explicit name=.")
    for difference in comparison.shape_differences:
        shapes = ", ".join(f"{label(m)} {shape_text(s)}" for m, s in difference.shapes.items())
        lines.append(f"'{difference.name}' changes shape between modes ({shapes}).")
    missing = {n for names in comparison.missing_from_train_checkpoint.values() for n in names}
    for name, modes in comparison.only_in_some.items():
        if name not in missing and "train" not in modes:
            lines.append(f"'{name}' exists only in {_modes(modes) or 'no built mode'}.")
    return lines


def notes(report) -> list[str]:
    """Differences that do no harm: variables TRAIN saves that another mode never reads."""
    extras = [n for n, modes in report.comparison.only_in_some.items() if "train" in modes]
    if not extras:
        return []
    shown = ", ".join(extras[:4]) + (f" and {len(extras) - 4} more" if len(extras) > 4 else "")
    return [f"Fine: {len(extras)} variable(s) exist in TRAIN but not in every other mode (a "
            f"checkpoint may hold extras, e.g. optimizer slots): {shown}."]


def mode_report_text(report) -> str:
    lines = ["Mode trace: model_fn built in TRAIN, EVAL and PREDICT, one fresh graph each", ""]
    for trace in report.modes:
        ops = sum(trace.op_counts.values())
        status = f"FAILED ({trace.error.type})" if trace.error else "built"
        fields = ", ".join(trace.spec) or "-"
        lines.append(f"{label(trace.mode):8} {status}: {len(trace.variables)} variables, "
                     f"{ops} ops, spec fields: {fields}")
    lines += ["", "Variables (creation order):"]
    for trace in report.modes:
        lines.append(f"  {label(trace.mode)}:")
        for v in trace.variables:
            flags = (" (local, not saved)" if v.local
                     else "" if v.trainable else " (not trainable)")
            origin = f"  <- {v.origin}" if v.origin else ""
            lines.append(f"    {v.name} {shape_text(v.shape)} {v.dtype}{flags}{origin}")
        if not trace.variables:
            lines.append("    (none)")
    found = problems(report)
    lines += ["", "Findings:" if found else "Findings: none, the modes agree."]
    lines += [f"  {number}. {text}" for number, text in enumerate(found, 1)]
    lines += [f"  {text}" for text in notes(report)]
    return "\n".join(lines)


def mode_report_html(report) -> str:
    modes = [trace.mode for trace in report.modes]
    names: list[str] = []
    for trace in report.modes:
        names += [v.name for v in trace.variables if v.name not in names]
    shape_of = {(t.mode, v.name): shape_text(v.shape) for t in report.modes for v in t.variables}
    head = "".join(f"<th>{label(m)}</th>" for m in modes)
    rows = "".join(
        f"<tr><td><code>{escape(name)}</code></td>"
        + "".join(f"<td>{escape(shape_of.get((m, name), '—'))}</td>" for m in modes) + "</tr>"
        for name in names)
    items = "".join(f"<li>{escape(text)}</li>" for text in findings(report))
    verdict = f"<ol>{items}</ol>" if items else "<p>No findings: the modes agree.</p>"
    return ("<div class='ckptlab-mode-trace'><h4>Mode trace</h4>"
            f"<table><tr><th>variable</th>{head}</tr>{rows}</table>{verdict}</div>")


@dataclass(frozen=True)
class VariableRow:
    name: str
    shape: str
    dtype: str
    origin: str  # "file.py:line" that created it ('' when unknown)
    order: int  # creation index in the mode's graph (-1: only in the checkpoint)
    flags: tuple[str, ...] = ()  # short notes: "only in TRAIN", "named dense in EVAL"...
    state: str = ""  # restore plan state (a palette.STATE_LOOK key), '' when not planned
    detail: str = ""  # one sentence explaining the state


def _mode_names(report, modes) -> str:
    return ", ".join(MODE_LOOK.get(m, ("", m))[1] for m in modes)


def _flags(report, mode: str, variable) -> tuple[str, ...]:
    comparison, flags = report.comparison, []
    if variable.local:
        flags.append("local, not saved")
    if variable.name in comparison.only_in_some:
        flags.append(f"only in {_mode_names(report, comparison.only_in_some[variable.name])}")
    for shift in comparison.shifted:
        if mode == TRAIN and variable.name.startswith(shift.train_name + "/"):
            flags.append(f"is {shift.name}/… in {_mode_names(report, [shift.mode])}")
        if shift.mode == mode and variable.name.startswith(shift.name + "/"):
            flags.append(f"name shifted: {shift.train_name}/… in TRAIN")
    return tuple(flags)


def _plan_detail(planned, mode: str) -> str:
    """One sentence for a planned restore (the plan itself: ModeReport.restore_plan)."""
    return {
        "missing": f"'{planned.name}' is not in the TRAIN checkpoint: restoring fails with "
                   "'Key ... not found in checkpoint'.",
        "mismatch": f"the checkpoint holds {shape_text(planned.stored)}, this mode wants "
                    f"{shape_text(planned.wanted)}.",
        "swapped": f"restored from '{planned.name}', which TRAIN made with another line of "
                   f"code; this line made '{planned.train_name}' in TRAIN. No error: wrong "
                   "weights.",
        "matched": f"restored from the checkpoint key '{planned.name}'.",
        "unused": f"in the TRAIN checkpoint; {label(mode)} does not ask for it (harmless).",
    }[planned.state]


def mode_rows(report, mode: str, plan: bool = False) -> list[VariableRow]:
    """The variables of `mode` in creation order; with `plan`, each with its restore
    state against the TRAIN checkpoint, then the checkpoint's unused values."""
    trace = report.mode(mode)
    planned = {p.name: p for p in report.restore_plan(mode)} if plan and mode != TRAIN \
        else {}
    rows = []
    for v in trace.variables:
        step = planned.get(v.name) if not v.local else None
        rows.append(VariableRow(v.name, shape_text(v.shape), v.dtype, v.origin, v.order,
                                _flags(report, mode, v), step.state if step else "",
                                _plan_detail(step, mode) if step else ""))
    if planned and trace.error is None:
        rows += [VariableRow(p.name, shape_text(p.stored), "", "", -1, (), "unused",
                             _plan_detail(p, mode))
                 for p in planned.values() if p.state == "unused"]
    return rows


TABLE = "border-collapse: collapse; margin: 2px 0 8px 0; width: 100%"
CELL = "padding: 1px 6px; border-bottom: 1px solid #eee; vertical-align: top"
FLAG = "display:inline-block; padding:0 4px; margin:1px 2px; border:1px solid #bbb; " \
       "border-radius:3px; font-size:11px; white-space:nowrap"
# collections a learner must notice: batch norm's moving averages need UPDATE_OPS
NOTABLE = ("update_ops",)
# ipywidgets' HTML widget sets a one-line height and no wrapping: undo both
COLUMN = (f"font-family:{FONT_FAMILY}; font-size:{FONT_SIZE}px; line-height:1.35; "
          "white-space:normal; overflow-wrap:anywhere")


def _row_html(row: VariableRow, selected: str) -> str:
    mark = "▶ " if row.name == selected else ""
    weight = "font-weight:600; background:#fff8e1;" if row.name == selected else ""
    flags = "".join(f'<span style="{FLAG}">{escape(f)}</span>' for f in row.flags)
    state = f"<div>{badge_html(row.state)}</div>" if row.state else ""
    order = "" if row.order < 0 else str(row.order)
    origin = f'<span style="color:#666; font-size:11px"> {escape(row.origin)}</span>' \
        if row.origin else ""
    return (f'<tr style="{weight}" title="{escape(row.detail)}">'
            f'<td style="{CELL}; color:#888; white-space:nowrap">{order}</td>'
            f'<td style="{CELL}">{mark}<code>{escape(row.name)}</code>{origin}'
            f"<div>{flags}</div>{state}</td>"
            f'<td style="{CELL}; white-space:nowrap">{escape(row.shape)}</td></tr>')


def _pairs_table(title: str, pairs: list[tuple[str, str]], notable=()) -> str:
    if not pairs:
        return f"<div><b>{title}</b>: none</div>"
    rows = "".join(
        f'<tr><td style="{CELL}">{"<b>" if k in notable else ""}{escape(k)}'
        f'{"</b>" if k in notable else ""}</td><td style="{CELL}">{escape(v)}</td></tr>'
        for k, v in pairs)
    return f'<div><b>{title}</b></div><table style="{TABLE}">{rows}</table>'


def mode_column_html(report, mode: str, plan: bool = False, selected: str = "") -> str:
    trace = report.mode(mode)
    colour, label = MODE_LOOK.get(mode, ("#555", mode))
    if trace.error:
        where = f" at {trace.error.origin}" if trace.error.origin else ""
        status = (f'<div style="color:#c62828">failed to build{escape(where)}: '
                  f"{escape(trace.error.type)}: {escape(trace.error.message)}</div>")
    else:
        status = f"<div>built: {len(trace.variables)} variables, " \
                 f"{sum(trace.op_counts.values())} ops</div>"
    rows = mode_rows(report, mode, plan)
    leading = [row for row in rows if differs(row) or row.name == selected]
    rest = [row for row in rows if row not in leading]
    what = "variable, restore plan" if plan and mode != "train" else "variable"
    head = (f'<tr><th style="{CELL}">#</th><th style="{CELL}; text-align:left">{what} '
            f'(creation order)</th><th style="{CELL}; white-space:nowrap">shape</th></tr>')

    def table(part) -> str:
        body = "".join(_row_html(row, selected) for row in part)
        return f'<table style="{TABLE}">{head}{body}</table>'

    if not rows:
        variables = "<div>No variables.</div>"
    else:
        lead = table(leading) if leading else (
            "<div><i>Nothing here differs from the other modes.</i></div>")
        folded = (f'<details><summary style="cursor:pointer">{escape(_rest_summary(rest))}'
                  f"</summary>{table(rest)}</details>") if rest else ""
        variables = lead + folded
    collections = sorted(trace.collections.items())
    notable = [(k, str(v)) for k, v in collections if k in NOTABLE] + \
              [(k, str(v)) for k, v in collections if k not in NOTABLE]
    more = (f'<details><summary style="cursor:pointer">graph collections and '
            f"EstimatorSpec fields</summary>"
            f"{_pairs_table('collections (size)', notable, NOTABLE)}"
            f"{_pairs_table('EstimatorSpec fields', sorted(trace.spec.items()))}</details>")
    return (f'<div class="ckptlab-mode-column" style="{COLUMN}">'
            f'<div style="border-top:4px solid {colour}; font-weight:700; font-size:15px">'
            f"{label}</div>{status}{variables}{more}</div>")


# a difference between modes that changes what is restored (the rest is folded away)
_LEADING_STATES = ("missing", "mismatch", "swapped")


def differs(row: VariableRow) -> bool:
    """Whether a row shows a difference that matters: a restore that fails or swaps, a
    shifted name, or a model weight that only some modes create (optimizer and step state
    exist in training only, as they should)."""
    if row.state in _LEADING_STATES:
        return True
    for flag in row.flags:
        if flag.startswith(("name shifted", "is ")):
            return True
        if flag.startswith("only in") and classify(row.name) == KIND_WEIGHT:
            return True
    return False


def _rest_summary(rest: list[VariableRow]) -> str:
    """'12 more variables: 3 matched, 9 unused in checkpoint' (what the fold holds)."""
    states = Counter(STATE_LOOK.get(row.state, ("", ""))[1] or (
        "training state (optimizer, step)" if classify(row.name) != KIND_WEIGHT
        else "the same in every mode") for row in rest)
    parts = ", ".join(f"{n} {what}" for what, n in states.most_common())
    return f"{len(rest)} more variable{'s' * (len(rest) != 1)}: {parts}"


def mode_explorer_html(report, plan: bool = False) -> str:
    """The findings in words first, then three columns side by side."""
    columns = "".join(f'<div style="flex:1; min-width:260px; padding:0 6px">'
                      f"{mode_column_html(report, t.mode, plan)}</div>" for t in report.modes)
    items = "".join(f"<li>{escape(text)}</li>" for text in findings(report))
    verdict = f"<ol>{items}</ol>" if items else "<p>No findings: the modes agree.</p>"
    return (f'<div class="ckptlab-mode-explorer" style="font-family:{FONT_FAMILY}; '
            f'font-size:{FONT_SIZE}px"><div style="font-weight:600; font-size:15px">'
            f"model_fn built in each mode: what differs</div>{verdict}"
            f'<div style="display:flex; flex-wrap:wrap">{columns}</div></div>')
