"""The benchmark table shows every figure beside its target, and never hides a miss."""

from __future__ import annotations

from bench.harness import Result, Timing
from bench.report import END, START, markdown_table, update_readme

MACHINE = {"date": "2026-01-01 00:00 UTC", "cores": 2, "cpu": "test CPU", "memory_gb": 4,
           "os": "Linux", "python": "3.11", "tensorflow": "2.21.0"}


def test_unmet_target_stays_visible_with_its_figure():
    slow = Result("inspect", "time", "s", Timing.of([2.0, 2.2, 1.9]), "list_variables",
                  Timing.of([1.0, 1.1, 0.9]), "<= 1.2x", met=False)
    table = markdown_table([slow], MACHINE, {})
    row = next(line for line in table.splitlines() if line.startswith("| inspect"))
    assert "2 s (1.9–2.2)" in row and "2.00x" in row and "**NOT MET**" in row
    assert "2 cores (test CPU)" in table


def test_failed_benchmark_is_listed():
    table = markdown_table([], MACHINE, {"bench_broken": "Traceback ..."})
    assert "| bench_broken | – | **benchmark failed**" in table


def test_readme_table_is_replaced_between_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{START}\nold table\n{END}\noutro\n")
    assert update_readme(readme, "new table\n")
    assert readme.read_text() == f"intro\n{START}\nnew table\n{END}\noutro\n"
    plain = tmp_path / "PLAIN.md"
    plain.write_text("no markers")
    assert not update_readme(plain, "x")
