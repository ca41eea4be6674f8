"""Suite-wide rules: markers by folder, and the CI guard for notebook and browser tests.

Each folder under tests/ is one kind of test (unit, tf, notebooks, browser, parity, fuzz) and
its tests get the marker of the same name, so `pytest -m unit` selects by kind.
On CI (CI=true), a kind that must run here ("notebooks", "browser", "parity") fails the run when
none of its tests passed; outside CI a missing prerequisite only skips, loudly.
Each learner notebook is executed once per session, by the most thorough run collected
(NOTEBOOK_RUNS), in the Binder environment built once (`binder_env`).
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
KINDS = ("unit", "tf", "notebooks", "browser", "parity", "fuzz")
REQUIRED_ON_CI = ("notebooks", "browser", "parity")
ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

_passed: Counter[str] = Counter()
_collected: Counter[str] = Counter()


def kind_of(item: pytest.Item) -> str | None:
    parts = Path(str(item.fspath)).resolve().relative_to(TESTS).parts
    return parts[0] if parts and parts[0] in KINDS else None


# Each notebook is executed once per suite, by the most thorough run collected: in the
# browser (JupyterLab + Chromium, with Binder's kernel and its 2 GB limit), else in Binder's
# environment headless (memory limit + the clean-output rules), else headless in this
# environment (the clean-output rules). Each checks everything the ones after it check.
NOTEBOOK_RUNS = (
    "tests/browser/test_every_notebook.py::test_notebook_runs_cleanly_in_jupyterlab",
    "tests/notebooks/test_binder.py::test_notebook_runs_in_binder_within_2gb",
    "tests/notebooks/test_notebooks.py::test_notebook_runs_top_to_bottom_cleanly",
)


def _browser_at_hand() -> bool:
    import importlib.util

    return Path("/usr/bin/chromium").exists() and importlib.util.find_spec("playwright") is not None


def _repeated_notebook_runs(items) -> list:
    """The runs of a notebook that a more thorough run of the same notebook makes redundant
    in this session (the browser run counts only with Chromium and Playwright at hand)."""
    runs = NOTEBOOK_RUNS if _browser_at_hand() else NOTEBOOK_RUNS[1:]
    done: set[str] = set()
    repeated = []
    for run in runs:
        mine = [item for item in items if item.nodeid.startswith(run + "[")]
        repeated += [item for item in mine if item.nodeid.split("[", 1)[-1] in done]
        done |= {item.nodeid.split("[", 1)[-1] for item in mine}
    return repeated


@pytest.fixture(scope="session")
def binder_env(tmp_path_factory):
    """The Binder environment (tests/helpers/binder.py), built once for the session."""
    from tests.helpers.binder import build_binder_env

    try:
        return build_binder_env(tmp_path_factory.mktemp("binder"))
    except RuntimeError as error:
        pytest.fail(f"could not build the Binder environment: {error}", pytrace=False)


def pytest_collection_modifyitems(config, items):
    repeated = _repeated_notebook_runs(items)
    if repeated:
        config.hook.pytest_deselected(items=repeated)
        items[:] = [item for item in items if item not in repeated]
    for item in items:
        kind = kind_of(item)
        if kind:
            item.add_marker(getattr(pytest.mark, kind))
            _collected[kind] += 1


def pytest_runtest_logreport(report):
    if report.when == "call" and report.passed:
        kind = next((k for k in KINDS if k in report.keywords), None)
        if kind:
            _passed[kind] += 1


def skip_or_fail(reason: str, how_to_enable: str) -> None:
    """Skip loudly outside CI; on CI a missing prerequisite is a failure."""
    message = f"{reason}\n    To run these tests: {how_to_enable}"
    if ON_CI:
        pytest.fail(f"CI must run this test, but: {message}", pytrace=False)
    pytest.skip(f"!!! NOT RUN: {message}")


def is_full_run(config) -> bool:
    """True when the whole suite was asked for (no -m, no -k, no narrower path)."""
    if config.getoption("-m") or config.getoption("-k"):
        return False
    roots = [Path(arg.split("::")[0]).resolve() for arg in config.args] or [TESTS]
    return any(root in (TESTS, TESTS.parent) for root in roots)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    write = terminalreporter.write_line
    terminalreporter.section("ckptlab test kinds")
    for kind in KINDS:
        write(f"{kind:10} collected {_collected[kind]:4}  passed {_passed[kind]:4}")
    if ON_CI and is_full_run(config):
        missing = [k for k in REQUIRED_ON_CI if _passed[k] == 0]
        if missing:
            write(f"CI ERROR: no {', '.join(missing)} test passed; CI requires them.", red=True)


def pytest_sessionfinish(session, exitstatus):
    if ON_CI and is_full_run(session.config) and any(_passed[k] == 0 for k in REQUIRED_ON_CI):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
