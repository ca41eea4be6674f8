"""Text and HTML views of a mode trace (`ckptlab.trace.mode_records.ModeReport`)."""

from __future__ import annotations

from html import escape

__all__ = ["findings", "mode_report_html", "mode_report_text", "notes", "problems"]

_LABEL = {"train": "TRAIN", "eval": "EVAL", "infer": "PREDICT"}


def _modes(names) -> str:
    return ", ".join(_LABEL.get(name, name) for name in names)


def _shape(shape) -> str:
    return "unknown" if shape is None else "[" + ", ".join(
        "None" if d is None else str(d) for d in shape) + "]"


def findings(report) -> list[str]:
    """The problems, then the notes about harmless differences."""
    return problems(report) + notes(report)


def problems(report) -> list[str]:
    """One sentence per problem, most harmful first (failures, missing, shifts, shapes)."""
    comparison, lines = report.comparison, []
    for trace in report.modes:
        if trace.error:
            where = f" at {trace.error.origin}" if trace.error.origin else ""
            lines.append(f"{_LABEL[trace.mode]} failed to build{where}: "
                         f"{trace.error.type}: {trace.error.message}")
    for mode, names in comparison.missing_from_train_checkpoint.items():
        lines.append(f"{_LABEL[mode]} creates {len(names)} variable(s) a TRAIN checkpoint will "
                     f"not contain: {', '.join(names)}. Restoring fails with 'Key "
                     f"{names[0]} not found in checkpoint'; create them in every mode.")
    for shift in comparison.shifted:
        mode = _LABEL[shift.mode]
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
        shapes = ", ".join(f"{_LABEL[m]} {_shape(s)}" for m, s in difference.shapes.items())
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
        lines.append(f"{_LABEL[trace.mode]:8} {status}: {len(trace.variables)} variables, "
                     f"{ops} ops, spec fields: {fields}")
    lines += ["", "Variables (creation order):"]
    for trace in report.modes:
        lines.append(f"  {_LABEL[trace.mode]}:")
        for v in trace.variables:
            flags = (" (local, not saved)" if v.local
                     else "" if v.trainable else " (not trainable)")
            origin = f"  <- {v.origin}" if v.origin else ""
            lines.append(f"    {v.name} {_shape(v.shape)} {v.dtype}{flags}{origin}")
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
    shape_of = {(t.mode, v.name): _shape(v.shape) for t in report.modes for v in t.variables}
    head = "".join(f"<th>{_LABEL[m]}</th>" for m in modes)
    rows = "".join(
        f"<tr><td><code>{escape(name)}</code></td>"
        + "".join(f"<td>{escape(shape_of.get((m, name), '—'))}</td>" for m in modes) + "</tr>"
        for name in names)
    items = "".join(f"<li>{escape(text)}</li>" for text in findings(report))
    verdict = f"<ol>{items}</ol>" if items else "<p>No findings: the modes agree.</p>"
    return ("<div class='ckptlab-mode-trace'><h4>Mode trace</h4>"
            f"<table><tr><th>variable</th>{head}</tr>{rows}</table>{verdict}</div>")
