"""`python -m bench [--quick] [NAME ...]`: run the benchmarks and publish the results.

Writes bench/results/latest.json (machine-readable) and bench/results/latest.md (the
table), and refreshes the table in README.md between its bench markers.
"""

from __future__ import annotations

import argparse
import importlib
import json
import traceback
from pathlib import Path

from bench.machine import describe_machine
from bench.report import markdown_table, update_readme

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"


def discover() -> list[str]:
    return sorted(path.stem for path in BENCH.glob("bench_*.py"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    args = parser.parse_args(argv)
    names = args.names or discover()
    results, failures = [], {}
    for name in names:
        module_name = name if name.startswith("bench_") else f"bench_{name}"
        print(f"bench: running {module_name} ...", flush=True)
        try:
            module = importlib.import_module(f"bench.{module_name}")
            results.extend(module.run(quick=args.quick))
        except Exception:  # one broken benchmark must not hide the others
            failures[module_name] = traceback.format_exc()
            print(failures[module_name], flush=True)
    machine = describe_machine()
    RESULTS.mkdir(exist_ok=True)
    payload = {"machine": machine, "quick": args.quick,
               "results": [result.to_dict() for result in results], "failures": failures}
    (RESULTS / "latest.json").write_text(json.dumps(payload, indent=2) + "\n")
    table = markdown_table(results, machine, failures)
    (RESULTS / "latest.md").write_text(table)
    if not args.names and not args.quick:
        update_readme(BENCH.parent / "README.md", table)
    print(table)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
