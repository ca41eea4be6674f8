"""Render benchmark results as the Markdown table published in the README."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from bench.harness import Result

START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def _figure(result: Result) -> str:
    value = result.value
    return f"{value.median:.3g} {result.unit} ({value.minimum:.3g}–{value.maximum:.3g})"


def _verdict(result: Result) -> str:
    if result.met is None:
        return "no target"
    return "met" if result.met else "**NOT MET**"


def markdown_table(results: Sequence[Result], machine: dict, failures: dict) -> str:
    lines = [
        f"Measured {machine['date']} on {machine['cores']} cores ({machine['cpu']}), "
        f"{machine['memory_gb']} GB, {machine['os']}, Python {machine['python']}, "
        f"TensorFlow {machine['tensorflow']}. Figures are medians (min–max).",
        "",
        "| benchmark | measure | figure | baseline | ratio | target | verdict |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for result in results:
        baseline = (f"{result.baseline_name}: {_figure_plain(result)}"
                    if result.baseline is not None else "–")
        ratio = f"{result.ratio:.2f}x" if result.ratio is not None else "–"
        lines.append(f"| {result.benchmark} | {result.measure} | {_figure(result)} | {baseline} "
                     f"| {ratio} | {result.target or '–'} | {_verdict(result)} |")
    for name in failures:
        lines.append(f"| {name} | – | **benchmark failed** (see latest.json) | – | – | – | – |")
    return "\n".join(lines) + "\n"


def _figure_plain(result: Result) -> str:
    baseline = result.baseline
    return f"{baseline.median:.3g} {result.unit}"


def update_readme(readme: Path, table: str) -> bool:
    """Replace the text between the bench markers; False when the markers are absent."""
    text = readme.read_text()
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        return False
    readme.write_text(pattern.sub(lambda _: f"{START}\n{table}{END}", text))
    return True
