"""`python -m tests.corpus [--confirm] [--cheap] [ID ...]`: the corpus table and its figures.

Without --confirm: check every case with `ckptlab check` (this Python's ckptlab) and print
one row per case (what is wrong, if anything) and the figures. With --confirm: run each
case's learner code through the runner with real TensorFlow and compare what it raised
with the case's recorded behaviour (Estimator cases need CKPTLAB_PARITY_PYTHON for the
real tf.estimator 2.15; TF2/Keras cases use this Python's TensorFlow 2.21).
"""

from __future__ import annotations

import argparse
import json
import sys

from tests.corpus.confirm import confirm_all
from tests.corpus.corpus import check_all, figures, load_cases, problems, write_golden


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.corpus")
    parser.add_argument("ids", nargs="*")
    parser.add_argument("--cheap", action="store_true", help="only the cases CI runs")
    parser.add_argument("--confirm", action="store_true", help="behaviour on real TensorFlow")
    parser.add_argument("--workers", type=int, default=2)
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
    if args.golden:
        write_golden(cases, reports)
    bad = 0
    for case in cases:
        found = problems(case, reports[case.id])
        bad += bool(found)
        codes = " ".join(reports[case.id].codes()) or "-"
        print(f"{case.id:48} {'ok ' if not found else 'BAD'} {codes:40} {'; '.join(found)}",
              flush=True)
    print(json.dumps(figures(cases, reports), indent=1))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
