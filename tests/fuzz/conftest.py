"""Print what the fuzz run saw: inputs per outcome, slowest input, memory headroom."""

from __future__ import annotations

from tests.fuzz.harness import TALLY


def pytest_terminal_summary(terminalreporter):
    if not TALLY.counts:
        return
    write = terminalreporter.write_line
    total = sum(TALLY.counts.values())
    by_status: dict[str, int] = {}
    for (_, status), count in TALLY.counts.items():
        by_status[status] = by_status.get(status, 0) + count
    write(f"fuzz: {total:,} mutated inputs in {TALLY.seconds:.1f} s; "
          + ", ".join(f"{status} {count:,}" for status, count in sorted(by_status.items())))
    for label in sorted({label for label, _ in TALLY.counts}):
        write(f"  {label}: " + ", ".join(f"{status} {count:,}" for (other, status), count
                                         in sorted(TALLY.counts.items()) if other == label))
    write(f"fuzz: slowest input {TALLY.slowest:.2f} s wall, costliest {TALLY.most_cpu:.2f} s "
          f"CPU (hang limit: 10 s CPU or 120 s wall); largest peak over 2x the input "
          f"{TALLY.peak_over_input:+.1f} MB (limit +50 MB)")
