"""Views of checkpoint records (index, diff, dry-run match): plain text (CLI, tests,
terminals) and static HTML (no scripts: what GitHub, nbviewer and exported pages show
instead of the live explorer). `tree_lines`/`tree_html` work for any ScopeNode tree.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from ckptlab.checkpoint.bundle import clip
from ckptlab.render.palette import FONT_FAMILY, FONT_SIZE, badge_html
from ckptlab.render.units import human_bytes, human_count, shape_text
from ckptlab.scopes import ScopeNode, build_tree

__all__ = ["diff_html", "diff_text", "index_html", "index_text", "match_text", "tree_html",
           "tree_lines"]


MAX_TEXT_LINES = 5_000  # lines of a tree, or of each list of a diff, in the text views
MAX_INDENT = 32  # deeper levels are not indented further; their depth is written instead
MAX_NAME = 120  # characters of one name in a text view


def _indent(level: int) -> str:
    return "  " * level if level <= MAX_INDENT else "  " * MAX_INDENT + f"[level {level + 1}] "


def _cut(lines: list[str], total: int, what: str) -> list[str]:
    """`lines`, plus one line saying how many of `total` were left out (if any)."""
    if total <= len(lines):
        return lines
    return [*lines, f"... {total - len(lines):,} more {what} not shown (the text view shows "
                    f"{len(lines):,}; --json, or a filter in the CheckpointExplorer, shows all)"]


def tree_lines(root: ScopeNode, leaf: Callable[[ScopeNode], str] | None = None,
               max_depth: int | None = None, max_lines: int = MAX_TEXT_LINES) -> list[str]:
    """Indented lines, scopes with totals and leaves with `leaf(node)` (default: sizes);
    at most `max_lines`, then one line saying how many more there are."""
    lines, total = [], 0
    for depth, node in root.walk():
        if depth == 0 or not (node.is_leaf or max_depth is None or depth <= max_depth):
            continue
        total += 1
        if len(lines) >= max_lines:
            continue
        name = clip(node.name, MAX_NAME)
        if node.is_leaf:
            detail = leaf(node) if leaf else human_bytes(node.nbytes)
            lines.append(f"{_indent(depth - 1)}{name}  {detail}")
        else:
            lines.append(f"{_indent(depth - 1)}{name}/  [{node.variables} variables, "
                         f"{human_count(node.elements)} values, {human_bytes(node.nbytes)}]")
    return _cut(lines, total, "lines")


def index_text(index) -> str:
    """A CheckpointIndex as readable text: header, tree with shapes and sizes, totals."""
    totals = index.totals()
    step = "?" if index.step is None else index.step
    lines = [f"checkpoint {index.path}", f"format {index.format}, step {step}"]
    lines += [f"note: {note}" for note in index.notes]
    if len(index.all_checkpoints) > 1:
        shown = ", ".join(index.all_checkpoints[:10])
        more = len(index.all_checkpoints) - 10
        lines.append(f"all checkpoints (latest first): {shown}"
                     + (f" and {more:,} more" if more > 0 else ""))
    lines.append("files: " + ", ".join(f"{f.name} ({human_bytes(f.nbytes)})"
                                       for f in index.files))
    by_key = {v.key: v for v in index.variables}

    def leaf(node: ScopeNode) -> str:
        variable = by_key[node.key]
        extra = f"  slot of {clip(variable.slot_of, MAX_NAME)}" if variable.slot_of else ""
        return (f"{shape_text(variable.shape)} {variable.dtype} {human_bytes(variable.nbytes)}"
                f"  [{variable.kind}]{extra}")

    lines += ["", *tree_lines(index.tree(), leaf), ""]
    kinds = ", ".join(f"{k}: {v['variables']} ({human_bytes(v['bytes'])})"
                      for k, v in totals["by_kind"].items() if v["variables"])
    lines.append(f"total: {totals['variables']} variables, {human_count(totals['elements'])} "
                 f"values, {human_bytes(totals['bytes'])} ({kinds})")
    return "\n".join(lines)


def diff_text(diff) -> str:
    lines = [f"diff {diff.a.path} (step {diff.a.step}) -> {diff.b.path} (step {diff.b.step})"]
    most = MAX_TEXT_LINES
    for title, items in (("added", diff.added), ("removed", diff.removed)):
        lines.append(f"{title}: {len(items)}")
        lines += _cut([f"  {clip(v.key, MAX_NAME)} {shape_text(v.shape)} {v.dtype}"
                       for v in items[:most]], len(items), "variables")
    for title, items, field in (("shape changed", diff.shape_changed, "shape"),
                                ("dtype changed", diff.dtype_changed, "dtype")):
        lines.append(f"{title}: {len(items)}")
        lines += _cut([f"  {clip(a.key, MAX_NAME)}: {getattr(a, field)} -> {getattr(b, field)}"
                       for a, b in items[:most]], len(items), "variables")
    changed = sorted(diff.changed_values, key=lambda c: -c.max_abs)
    lines.append(f"values changed: {len(changed)} of {len(diff.values)} compared")
    for change in changed[:most]:
        relative = "inf" if change.relative == float("inf") else f"{change.relative:.3g}"
        lines.append(f"  {clip(change.key, MAX_NAME)}: max |delta| {change.max_abs:.3g}, "
                     f"mean |delta| {change.mean_abs:.3g}, relative {relative}, "
                     f"{change.fraction_changed:.0%} of values changed")
    lines = _cut(lines, len(lines) + len(changed) - len(changed[:most]), "variables")
    if diff.is_empty:
        lines.append("the checkpoints hold the same variables with the same values")
    return "\n".join(lines)


def _spec_text(spec) -> str:
    return f"{spec.name}" + (f" ({spec.label})" if getattr(spec, "label", "") else "")


def match_text(report) -> str:
    """A MatchReport (dry-run restore) as text: counts, the lists, did-you-mean, notes."""
    lines = [f"dry-run restore from {report.checkpoint} (matched by {report.by}"
             + (f", under '{report.root}'" if report.root else "") + ")",
             f"matched: {len(report.matched)}", f"missing from the checkpoint: "
             f"{len(report.missing)}"]
    lines += [f"  {_spec_text(s)} {shape_text(s.shape)} {s.dtype}" for s in report.missing]
    lines.append(f"shape or dtype mismatch: {len(report.mismatched)}")
    lines += [f"  {_spec_text(m.spec)}: wanted {shape_text(m.spec.shape)} {m.spec.dtype}, "
              f"checkpoint has {shape_text(m.stored.shape)} {m.stored.dtype}"
              for m in report.mismatched]
    lines.append(f"left unused in the checkpoint: {len(report.unused)}")
    lines += [f"  {v.key} [{v.kind}]" for v in report.unused]
    for rename in report.suggestions:
        lines.append(f"did you mean '{rename.found}' for '{rename.wanted}'? {rename.detail}")
    lines += [f"note: {note}" for note in getattr(report, "notes", ())]
    return "\n".join(lines)


BOX = f"font-family: {FONT_FAMILY}; font-size: {FONT_SIZE}px"
CELL = "padding: 1px 8px; border-bottom: 1px solid #eee; text-align: left"


def tree_html(root: ScopeNode, leaf: Callable[[ScopeNode], str] | None = None,
              open_depth: int = 2, max_rows: int = MAX_TEXT_LINES) -> str:
    """Nested <details> per scope with its totals; leaves rendered by `leaf` (HTML).
    Built in one pass over `root.walk()` (no recursion); at most `max_rows` rows."""
    parts, opened, rows = [], [], 0
    for depth, node in root.walk():
        if depth == 0:
            continue
        rows += 1
        if rows > max_rows:
            continue
        while opened and opened[-1] >= depth:
            parts.append("</details>")
            opened.pop()
        name = escape(clip(node.name, MAX_NAME))
        if node.is_leaf:
            detail = leaf(node) if leaf else escape(human_bytes(node.nbytes))
            parts.append(f'<div style="margin-left:14px">{name} {detail}</div>')
            continue
        summary = (f"<b>{name}/</b> <span style='color:#666'>{node.variables} "
                   f"variables, {human_count(node.elements)} values, "
                   f"{human_bytes(node.nbytes)}</span>")
        is_open = " open" if depth <= open_depth else ""
        parts.append(f'<details{is_open} style="margin-left:{10 if depth > 1 else 0}px">'
                     f"<summary>{summary}</summary>")
        opened.append(depth)
    parts += ["</details>"] * len(opened)
    if rows > max_rows:
        parts.append(f"<div>... {rows - max_rows:,} more rows not shown (filter to see "
                     "them)</div>")
    return f'<div style="{BOX}">{"".join(parts)}</div>'


def index_html(index, filter_text: str = "", selected: str | None = None) -> str:
    """Header, object/scope tree with totals per subtree, and a table of the variables;
    both limited to keys containing `filter_text`, the `selected` key highlighted."""
    shown = [v for v in index.variables if filter_text.lower() in v.key.lower()]
    by_key = {v.key: v for v in shown}
    mark = ' style="background:#fff3cd;font-weight:bold"'

    def leaf(node: ScopeNode) -> str:
        v = by_key[node.key]
        return (f"<code>{escape(shape_text(v.shape))}</code> {escape(v.dtype)} "
                f"{escape(human_bytes(v.nbytes))} {badge_html(v.kind)}")

    totals = index.totals()
    rows = "".join(
        f'<tr{mark if v.key == selected else ""}>'
        f'<td style="{CELL}"><code>{escape(v.path)}</code></td>'
        f'<td style="{CELL}">{escape(shape_text(v.shape))}</td><td style="{CELL}">{v.dtype}'
        f'</td><td style="{CELL}">{human_bytes(v.nbytes)}</td>'
        f'<td style="{CELL}">{badge_html(v.kind)}</td></tr>' for v in shown)
    head = "".join(f'<th style="{CELL}">{h}</th>' for h in ("variable", "shape", "dtype",
                                                             "size", "kind"))
    shown_note = (f" ({len(shown)} shown, filter '{escape(filter_text)}')" if filter_text
                  else "")
    tree = build_tree((v.path, v.key, v.elements, v.nbytes) for v in shown)
    return (f'<div style="{BOX}" class="ckptlab-checkpoint"><b>{escape(index.path)}</b> '
            f"({index.format}, step {index.step}) - {totals['variables']} variables, "
            f"{human_count(totals['elements'])} values, {human_bytes(totals['bytes'])}"
            f"{shown_note}{tree_html(tree, leaf)}"
            f'<table style="border-collapse:collapse"><tr>{head}</tr>{rows}</table></div>')


def diff_html(diff) -> str:
    rows = [(v.key, "added") for v in diff.added] + [(v.key, "removed") for v in diff.removed]
    rows += [(a.key, "changed") for a, _ in diff.shape_changed]
    rows += [(c.key, "changed" if c.changed else "unchanged") for c in diff.values]
    body = "".join(f'<tr><td style="{CELL}"><code>{escape(k)}</code></td>'
                   f'<td style="{CELL}">{badge_html(s)}</td></tr>' for k, s in rows)
    return (f'<div style="{BOX}"><b>{escape(diff.a.path)} -> {escape(diff.b.path)}</b>'
            f'<table style="border-collapse:collapse">{body}</table></div>')
