"""The real-world corpus: cases as data, and what a report must do with each.

Each case is `cases/<id>.py` (the submission, written by us from the facts of its source)
and `cases/<id>.json` (source link, track, root cause, the behaviour seen on real
TensorFlow, what the fix must and must never say, the fix as an edit of the source,
whether it is cheap enough for CI).

A faulty case passes when the report fails it, leads with the root cause's code, has no
other error finding (symptoms are evidence, not findings) and its fixes fit the code:
the first fix names what `fix.mentions` lists and no fix says what `fix.never` lists.
A correct case passes when the report has no error finding.

A fix applies when doing what it says makes the program right: `fix.apply` is that edit
([old text, new text] pairs, each old text found exactly once in the case; the new text
names what `fix.mentions` lists), and the edited program, checked again, has no error
finding (`fixed_problems`; `make corpus` checks every case's edit, CI that each applies).
"""

from __future__ import annotations

import json
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CASES = Path(__file__).resolve().parent / "cases"
FAULTY, CORRECT = "faulty", "correct"
TRACKS = ("estimator", "tf2", "keras")


@dataclass(frozen=True)
class CorpusCase:
    id: str
    kind: str
    track: str
    source: str
    code: str | None  # the root cause's finding code (None for a correct program)
    cause: str
    behaviour: dict[str, Any]  # what real TensorFlow does with it (confirmed_on, raises, ...)
    fix_mentions: tuple[str, ...]
    fix_never: tuple[str, ...]
    fix_apply: tuple[tuple[str, str], ...]  # the fix as edits of the source (old, new)
    cheap: bool
    timeout: float

    @property
    def path(self) -> Path:
        return CASES / f"{self.id}.py"


def load_cases(selected: tuple[str, ...] = ()) -> list[CorpusCase]:
    cases = []
    for meta in sorted(CASES.glob("*.json")):
        data = json.loads(meta.read_text(encoding="utf-8"))
        case = CorpusCase(data["id"], data["kind"], data["track"], data["source"],
                          data["root_cause"]["code"], data["root_cause"]["cause"],
                          data["behaviour"], tuple(data["fix"]["mentions"]),
                          tuple(data["fix"]["never"]),
                          tuple((old, new) for old, new in data["fix"].get("apply", ())),
                          data["cheap"], data["timeout"])
        if not selected or case.id in selected:
            cases.append(case)
    return cases


def problems(case: CorpusCase, report: Any) -> list[str]:
    """What is wrong with `report` (a ckptlab Report) for this case; [] when it is right."""
    errors = [f for f in report.findings if f.severity == "error"]
    if case.kind == CORRECT:
        return [f"false {f.code}: {f.what}" for f in errors]
    found = []
    if report.verdict != "fail":
        found.append(f"verdict {report.verdict} (expected fail)")
    if not report.findings:
        return [*found, f"missing {case.code}"]
    first = report.findings[0]
    if first.code != case.code:
        found.append(f"first finding {first.code}, root cause is {case.code}")
    extra = [f.code for f in errors[1:]]
    if extra:
        found.append(f"extra error findings {extra}")
    if first.code == case.code:
        for text in case.fix_mentions:
            if text not in first.fix:
                found.append(f"fix does not mention {text!r}")
    for finding in report.findings:
        for text in case.fix_never:
            if text in finding.fix:
                found.append(f"{finding.code} fix says {text!r}, which does not apply")
    return found


def fixed_source(case: CorpusCase) -> str:
    """The case's source with its fix applied; ValueError when an edit does not apply."""
    source = case.path.read_text(encoding="utf-8")
    if not case.fix_apply:
        raise ValueError(f"{case.id}: no fix.apply edit")
    for old, new in case.fix_apply:
        if source.count(old) != 1:
            raise ValueError(f"{case.id}: {old!r} occurs {source.count(old)} times, not once")
        source = source.replace(old, new)
    return source


def fixed_problems(case: CorpusCase, report: Any) -> list[str]:
    """What is still wrong after the fix was applied; [] when the program is right."""
    return [f"after the fix, {f.code}: {f.what}" for f in report.findings
            if f.severity == "error"]


def check_case(case: CorpusCase, timeout_scale: float = 1.0, fixed: bool = False) -> Any:
    from ckptlab.checker.sandbox import Limits, check_file

    scale = float(os.environ.get("CKPTLAB_CORPUS_TIMEOUT_SCALE", timeout_scale))
    limits = Limits(timeout=case.timeout * scale)
    if not fixed:
        return check_file(case.path, limits)
    with tempfile.TemporaryDirectory(prefix="ckptlab-corpus-fixed-") as folder:
        path = Path(folder) / case.path.name
        path.write_text(fixed_source(case), encoding="utf-8")
        return check_file(path, limits)


def check_all(cases: list[CorpusCase], workers: int = 2, fixed: bool = False) -> dict[str, Any]:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = pool.map(lambda case: check_case(case, fixed=fixed), cases)
        return dict(zip([c.id for c in cases], done, strict=True))


def figures(cases: list[CorpusCase], reports: dict[str, Any],
            fixed: dict[str, Any] | None = None) -> dict[str, Any]:
    faulty = [c for c in cases if c.kind == FAULTY]
    correct = [c for c in cases if c.kind == CORRECT]

    def first_is_root(case: CorpusCase) -> bool:
        report = reports[case.id]
        return bool(report.findings) and report.findings[0].code == case.code

    return {
        "faulty": len(faulty),
        "faulty_right": sum(not problems(c, reports[c.id]) for c in faulty),
        "root_cause_first": sum(first_is_root(c) for c in faulty),
        "passed_silently": sum(reports[c.id].verdict == "pass" for c in faulty),
        "correct": len(correct),
        "correct_without_error": sum(not problems(c, reports[c.id]) for c in correct),
        # the fix's text does not fit the code (fix.mentions / fix.never)
        "fixes_that_do_not_fit": sum(
            any("fix" in p for p in problems(c, reports[c.id])) for c in faulty),
        # the fix, applied to the source (fix.apply) and checked again, still fails
        **({"fixes_applied": len(fixed),
            "fixes_that_do_not_apply": sum(bool(fixed_problems(c, fixed[c.id]))
                                           for c in faulty if c.id in fixed),
            "fixes_not_applied": sum(c.id not in fixed for c in faulty)}
           if fixed is not None else {}),
    }


def golden_text(report: Any) -> str:
    """The first finding as the learner reads it, with measured decimals masked."""
    from ckptlab.render.report import finding_text
    from tests.helpers.golden import masked

    return masked(finding_text(report.findings[0])) + "\n"


def write_golden(cases: list[CorpusCase], reports: dict[str, Any]) -> None:
    for case in cases:
        report = reports[case.id]
        if case.kind == FAULTY and report.findings:
            (CASES.parent / "golden" / f"{case.id}.txt").write_text(golden_text(report),
                                                                  encoding="utf-8")
