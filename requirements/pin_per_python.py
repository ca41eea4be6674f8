"""Extend constraints.txt with environment markers so that it installs on other Pythons.

    python requirements/pin_per_python.py PYTHON [PYTHON ...]

constraints.txt is the lock made on the default Python (make lock). For each other
interpreter, pip resolves ckptlab[test] against it in a fresh virtual environment
(`pip install --dry-run --report`, nothing is installed); a pin that interpreter cannot
install (a package that dropped its Python) is let go and pip picks the newest version
that fits, which is then pinned for that interpreter only. The result is one file where a
package with different versions carries one line per Python range, e.g.

    numpy==2.2.6 ; python_full_version < "3.11.0"
    numpy==2.4.6 ; python_full_version >= "3.11.0"

Ranges are cut at the interpreters really resolved, so every pin was resolved on a Python
found here. Run by `make lock-pythons`; `make pythons` then installs into each of them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "constraints.txt"
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)\s*(?:;\s*(.+))?$")
UNSATISFIED = re.compile(r"(?:No matching distribution found for|Could not find a version "
                         r"that satisfies the requirement) ([A-Za-z0-9_.\-]+)==")
WRONG_PYTHON = re.compile(r"Package '([A-Za-z0-9_.\-]+)' requires a different Python")
CONFLICT = re.compile(r"The user requested \(constraint\) ([A-Za-z0-9_.\-]+)==")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def full_version(python: str) -> tuple[int, ...]:
    out = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:3])"],
                         capture_output=True, text=True, check=True).stdout
    return tuple(int(part) for part in out.split())


def read_pins(path: Path) -> tuple[list[str], dict[str, list[tuple[str, str, str]]]]:
    """(header comment lines, canonical name -> [(name, version, marker)])."""
    header, pins = [], {}
    for line in path.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            header += [line] if line.startswith("#") and not pins else []
            continue
        match = PIN.match(line.strip())
        if match:
            pins.setdefault(canonical(match[1]), []).append(
                (match[1], match[2], match[3] or ""))
    return header, pins


def resolve(python: str, base: dict[str, str], let_go: tuple[str, ...] = (),
            extras: str = "test") -> dict[str, str]:
    """name -> version pip picks on `python`, keeping every base pin that it can
    (let_go: pins known not to fit, to save rounds)."""
    kept = {name: version for name, version in base.items() if name not in let_go}
    with tempfile.TemporaryDirectory(prefix="ckptlab-pin-") as scratch:
        venv = Path(scratch) / "venv"
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip"]
        subprocess.run([*pip, "install", "--quiet", "--upgrade", "pip"], check=True)
        for _ in range(60):
            constraints = Path(scratch) / "constraints.txt"
            constraints.write_text("".join(f"{n}=={v}\n" for n, v in kept.items()))
            report = Path(scratch) / "report.json"
            done = subprocess.run([*pip, "install", "--dry-run", "--ignore-installed",
                                   "--report", str(report), "-c", str(constraints),
                                   f"{ROOT}[{extras}]"], capture_output=True, text=True)
            output = done.stdout + done.stderr
            if done.returncode == 0:
                chosen = json.loads(report.read_text())["install"]
                return {canonical(item["metadata"]["name"]): item["metadata"]["version"]
                        for item in chosen if canonical(item["metadata"]["name"]) != "ckptlab"}
            names = (UNSATISFIED.findall(output) + CONFLICT.findall(output)
                     + WRONG_PYTHON.findall(output))
            dropped = [canonical(n) for n in names if canonical(n) in kept]
            if not dropped:
                raise SystemExit(f"{python}: pip failed for another reason:\n{output[-3000:]}")
            for name in dropped:
                print(f"  {python}: lets go of {name}=={kept.pop(name)}", flush=True)
    raise SystemExit(f"{python}: gave up after 60 rounds")


def marker_lines(name: str, by_python: list[tuple[tuple[int, ...], str | None]]) -> list[str]:
    """One line per run of consecutive Pythons that share a version."""
    runs: list[tuple[tuple[int, ...], str | None]] = []
    for version, pin in by_python:
        if not runs or runs[-1][1] != pin:
            runs.append((version, pin))
    lines = []
    for index, (start, pin) in enumerate(runs):
        if pin is None:
            continue
        bounds = []
        if index > 0:
            bounds.append(f'python_full_version >= "{".".join(map(str, start))}"')
        if index + 1 < len(runs):
            bounds.append(f'python_full_version < "{".".join(map(str, runs[index + 1][0]))}"')
        lines.append(f"{name}=={pin}" + (f" ; {' and '.join(bounds)}" if bounds else ""))
    return lines


def main(pythons: list[str], let_go: tuple[str, ...] = ()) -> None:
    header, pins = read_pins(CONSTRAINTS)
    default = full_version(sys.executable)
    base = {key: version for key, entries in pins.items()
            for _, version, marker in entries if not marker}
    names = {key: entries[0][0] for key, entries in pins.items()}
    resolved = {default: base}
    for python in pythons:
        version = full_version(python)
        if version != default:
            print(f"resolving on {python} ({'.'.join(map(str, version))})", flush=True)
            resolved[version] = resolve(python, base, let_go)
    order = sorted(resolved)
    lines = []
    for key in sorted(set().union(*resolved.values()), key=str):
        names.setdefault(key, key)
        by_python = [(v, resolved[v].get(key)) for v in order]
        present = {pin for _, pin in by_python if pin}
        if len(present) == 1:
            lines.append(f"{names[key]}=={present.pop()}")  # one version wherever needed
        else:
            lines.extend(marker_lines(names[key], by_python))
    CONSTRAINTS.write_text("\n".join([*header, *sorted(lines, key=str.lower)]) + "\n")
    print(f"wrote {CONSTRAINTS} for Pythons {', '.join('.'.join(map(str, v)) for v in order)}")


if __name__ == "__main__":
    # python pin_per_python.py [--let-go NAME ...] PYTHON ...
    args, dropped = sys.argv[1:], []
    while args and args[0] == "--let-go":
        dropped.append(canonical(args[1]))
        args = args[2:]
    main(args, tuple(dropped))
