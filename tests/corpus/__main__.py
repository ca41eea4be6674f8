"""`python -m tests.corpus [--confirm] [--cheap] [--fixes] [ID ...]`: the corpus table and figures.

Without --confirm: check every case with `ckptlab check` (this Python's ckptlab) and print
one row per case (what is wrong, if anything) and the figures; with --fixes, each faulty
case is checked again with its fix applied (fix.apply) and must then pass. With --confirm: run each
case's learner code through the runner with real TensorFlow and compare what it raised
with the case's recorded behaviour (Estimator cases need CKPTLAB_PARITY_PYTHON for the
real tf.estimator 2.15; TF2/Keras cases use this Python's TensorFlow 2.21).
"""

from __future__ import annotations

import argparse
import json
import sys

from tests.corpus.confirm import confirm_all
from tests.corpus.corpus import (
    FAULTY,
    check_all,
    figures,
    fixed_problems,
    load_cases,
    problems,
    write_golden,
)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.corpus")
    parser.add_argument("ids", nargs="*")
    parser.add_argument("--cheap", action="store_true", help="only the cases CI runs")
    parser.add_argument("--confirm", action="store_true", help="behaviour on real TensorFlow")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--fixes", action="store_true",
                        help="also check each faulty case with its fix applied (fix.apply)")
    parser.add_argument("--golden", action="store_true",
                        help="write each faulty case's first finding to golden/<id>.txt")
    args = parser.parse_args(argv)
    cases = [c for c in load_cases(tuple(args.ids)) if c.cheap or not args.cheap]
    if args.confirm:
        wrong = confirm_all(cases, args.workers)
        for case_id, problem in wrong:
            print(f"{case_id:48} {problem}")
        print(f"{len(cases) - len({w[0] for w in wrong})}/{len(cases)} behave as recorded")
        return 1 if wrong else 0
    reports = check_all(cases, args.workers)
    fixed = None
    if args.fixes:
        fixable = [c for c in cases if c.kind == FAULTY and c.fix_apply]
        fixed = check_all(fixable, args.workers, fixed=True)
    if args.golden:
        write_golden(cases, reports)
    bad = 0
    for case in cases:
        found = problems(case, reports[case.id])
        if fixed is not None and case.kind == FAULTY:
            found += fixed_problems(case, fixed[case.id]) if case.id in fixed \
                else ["no fix.apply edit: the fix is not checked"]
        bad += bool(found)
        codes = " ".join(reports[case.id].codes()) or "-"
        print(f"{case.id:48} {'ok ' if not found else 'BAD'} {codes:40} {'; '.join(found)}",
              flush=True)
    print(json.dumps(figures(cases, reports, fixed), indent=1))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
