"""Spare sandboxes (ckptlab.checker.spares), provoked for real: a notebook's check in a
sandbox whose stage processes were forked and warmed on ckptlab's own model before the
submission arrived must say exactly what a check in fresh processes says, keep its time
limit from the submission's arrival, fall back to fresh processes when a spare cannot
serve, and leave nothing behind when the process ends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from ckptlab.checker import spares
from ckptlab.checker.isolation import support
from ckptlab.checker.limits import Limits
from ckptlab.checker.runners.tracks import stages_of
from ckptlab.checker.sandbox import check_file
from ckptlab.checker.warm import run_isolated
from ckptlab.render.report import finding_text
from tests.conftest import skip_or_fail
from tests.helpers.golden import masked
from tests.tf.test_check_golden import LIMITS, PROVOKED, STAND_DOWNS, SUBMISSIONS
from tests.tf.test_sandbox_attacks import stray_processes

REPO = Path(__file__).resolve().parents[2]
GOOD = (SUBMISSIONS / "estimator-serving" / "solution.py").read_text()
# every Estimator submission of the golden findings and stand-downs (timeouts aside)
ESTIMATOR_FILES = sorted({name for name in [*PROVOKED.values(), *STAND_DOWNS]
                          if "tf.estimator" in (SUBMISSIONS / name).read_text()
                          or "estimator" in name} - {"provoke/infinite_loop.py"})


@pytest.fixture(autouse=True, scope="module")
def _sandboxed():
    if not support().isolated:
        skip_or_fail(f"checks here are {support().describe()}", "apt-get install bubblewrap")
    if not spares.worth_it("estimator", True):
        pytest.skip("spares are made only with more than one usable CPU")
    yield
    spares.close_spares()


def _said(report) -> list[str]:
    return [report.verdict, *[masked(finding_text(f)) for f in report.findings],
            *[masked(note) for note in report.notes]]


def _spare_check(path: Path, limits: Limits = LIMITS):
    """check_file as a notebook's check, after the spare for it is ready; whether a spare
    was taken (and a new one offered) is seen on spares.take."""
    assert spares.wait_for_spares()
    taken = []
    original = spares.take

    def take(*args):
        taken.append(original(*args))
        return taken[-1]

    spares.take = take
    try:
        return check_file(path, limits, spare=True), taken[0] is not None
    finally:
        spares.take = original


def test_a_spare_says_what_fresh_processes_say():
    """Each Estimator submission of the golden findings, checked in a spare and in fresh
    processes: the same verdict, the same findings word for word, the same notes."""
    check_file(SUBMISSIONS / ESTIMATOR_FILES[0], LIMITS, spare=True)  # makes the first spare
    differ, cold_only = {}, []
    for name in ESTIMATOR_FILES:
        warm, used = _spare_check(SUBMISSIONS / name)
        if not used:
            cold_only.append(name)
        cold = check_file(SUBMISSIONS / name, LIMITS)
        if _said(warm) != _said(cold):
            differ[name] = (_said(warm), _said(cold))
    assert cold_only == []
    assert differ == {}


def test_the_time_limit_starts_when_the_submission_arrives(tmp_path):
    """A spare made long before keeps no clock: the limit is the check's, from its start."""
    loop = tmp_path / "loop.py"
    # the correct solution, whose model_fn never returns once it is in PREDICT mode
    loop.write_text(GOOD.replace("    if mode == tf.estimator.ModeKeys.PREDICT:\n",
                                 "    while mode == tf.estimator.ModeKeys.PREDICT:\n"
                                 "        pass\n    if mode == tf.estimator.ModeKeys.PREDICT:\n"))
    assert "while mode" in loop.read_text()
    check_file(SUBMISSIONS / "estimator-serving/solution.py", LIMITS, spare=True)
    time.sleep(4)  # longer than the time limit below
    start = time.monotonic()
    report, used = _spare_check(loop, Limits(timeout=3, memory_mb=1500))
    took = time.monotonic() - start
    assert "TIMEOUT" in report.codes(), str(report)
    # the spare was made under the same limits but for the time limit: it serves
    assert used and 3 <= took < 20, took


def test_other_limits_get_a_fresh_sandbox(tmp_path):
    """The memory limit is the sandbox's own: a check with another one is not run in a
    spare made for the first, and still gets its verdict."""
    good = tmp_path / "good.py"
    good.write_text(GOOD)
    check_file(good, LIMITS, spare=True)
    report, used = _spare_check(good, Limits(timeout=60, memory_mb=1400))
    assert not used and report.verdict == "pass", str(report)


def test_a_spoiled_spare_is_passed_over(tmp_path):
    """A prepared process that ended before the check (killed from outside): the check
    runs in fresh processes as if there had been no spare, and passes."""
    good = tmp_path / "good.py"
    good.write_text(GOOD)
    check_file(good, LIMITS, spare=True)
    assert spares.wait_for_spares()
    spare = spares._SPARES["estimator"]
    os.kill(spare.processes["restore"], signal.SIGKILL)
    time.sleep(0.2)
    outcome = run_isolated("estimator", GOOD.encode(), "good.py", "file", LIMITS,
                           stages=stages_of("estimator"), spare=True)
    assert not outcome.spare and outcome.finished and not outcome.supervisor_error
    assert set(outcome.exits) == {"trace", "train", "restore", "predict"}
    assert all(code == 0 for code in outcome.exits.values()), outcome.exits


def test_a_spare_whose_supervisor_died_is_passed_over(tmp_path):
    """The spare's supervisor ended while it waited (the OOM killer, say): the check
    runs in a fresh sandbox and passes, not "the checker's child process could not start"."""
    good = tmp_path / "good.py"
    good.write_text(GOOD)
    check_file(good, LIMITS, spare=True)
    assert spares.wait_for_spares()
    spare = spares._SPARES["estimator"]
    for pid in list(spare.box._joined):  # the supervisor: the one process that joined
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.3)
    outcome = run_isolated("estimator", GOOD.encode(), "good.py", "file", LIMITS,
                           stages=stages_of("estimator"), spare=True)
    assert not outcome.spare and outcome.finished, outcome
    assert all(code == 0 for code in outcome.exits.values()), outcome.exits


def test_the_waiting_processes_are_not_the_learners_memory():
    """While a spare's later stages wait, the check's memory and process limits are the
    learner's on top of what they hold (the cgroup limits grow by it); once they are to
    run, the limits are whole again."""
    from ckptlab.checker.isolation import Sandbox

    with Sandbox(LIMITS) as box:
        if box.cgroup is None or box.pids_cgroup is None:
            pytest.skip(f"no memory and pids cgroups here: {box.describe()}")
        name = "memory.max" if box.cgroup.kind == "v2" else "memory.limit_in_bytes"
        assert box.leave_out({os.getpid()}, 210.5, 40)
        assert not box.idle_ended()  # (this process: alive)
        assert int((box.cgroup.path / name).read_text()) == (1500 << 20) + int(210.5 * (1 << 20))
        assert int((box.pids_cgroup.path / "pids.max").read_text()) == LIMITS.processes + 40
        assert box.idle == {os.getpid()}
        assert box.leave_out(set(), 0.0, 0)
        assert int((box.cgroup.path / name).read_text()) == 1500 << 20
        assert int((box.pids_cgroup.path / "pids.max").read_text()) == LIMITS.processes
        assert box.idle == set()


def test_the_warm_up_leaves_nothing_said_once():
    """What a warm-up says once (a Python warning registry, TensorFlow's deprecation and
    log-once tables, the warning filters) is as before it afterwards: the learner's code
    says it again, as in a process that ran nothing before."""
    import types
    import warnings

    from ckptlab.checker.runners import warmup
    from ckptlab.tf_private import deprecation, tf_logging

    filters = list(warnings.filters)
    deprecation._PRINTED_WARNING["kept"] = True  # said before the warm-up: stays said
    said = warmup._said_once()
    module = types.ModuleType("ckptlab_warm_up_probe")
    sys.modules[module.__name__] = module
    try:
        module.__warningregistry__ = {("said during the warm-up", Warning, 1): True}
        deprecation._PRINTED_WARNING["said during the warm-up"] = True
        tf_logging._log_counter_per_token["said during the warm-up"] = 1
        warnings.filterwarnings("ignore", message="during the warm-up")
        warmup._say_again(said)
        assert module.__warningregistry__ == {}
        assert "said during the warm-up" not in deprecation._PRINTED_WARNING
        assert deprecation._PRINTED_WARNING.get("kept") is True
        assert "said during the warm-up" not in tf_logging._log_counter_per_token
        assert list(warnings.filters) == filters
    finally:
        del sys.modules[module.__name__]
        deprecation._PRINTED_WARNING.pop("kept", None)


def test_a_process_that_ends_takes_its_spare_along(tmp_path):
    """A kernel that made a spare and ends (normally) leaves no process of it and no
    scratch folder."""
    spares.close_spares()  # this process's own, made after the test before
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        from pathlib import Path
        from ckptlab.checker import spares
        from ckptlab.checker.sandbox import check_file, Limits
        path = Path({str(tmp_path / "good.py")!r})
        path.write_text({GOOD!r})
        print(check_file(path, Limits(timeout=60), spare=True).verdict)
        assert spares.wait_for_spares() and spares._SPARES["estimator"].processes
        print("spare ready", flush=True)
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0 and "pass\nspare ready" in out, err[-3000:]
    time.sleep(0.5)
    assert stray_processes() == []
    left = [entry.name for entry in Path(tempfile.gettempdir()).iterdir()
            if entry.name.startswith("ckptlab-") and f"-{process.pid}-" in entry.name]
    assert left == []


WORTH_IT = "from ckptlab.checker import spares; print(spares.worth_it('estimator', True))"


@pytest.mark.parametrize("command, env", [
    # with one usable CPU the warm-up would take the CPU the learner's next check needs
    (["taskset", "-c", "0", sys.executable, "-c", WORTH_IT], {}),
    # turned off, e.g. by a hub whose pods are short of memory
    ([sys.executable, "-c", WORTH_IT], {spares.SWITCH: "0"}),
], ids=["one_cpu", "turned_off"])
def test_no_spares_where_they_do_not_fit(command, env):
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=REPO,
                          env={**os.environ, **env})
    assert done.stdout.strip() == "False", done.stderr[-2000:]
    here = subprocess.run([sys.executable, "-c", WORTH_IT], capture_output=True, text=True,
                          timeout=120, cwd=REPO)
    assert here.stdout.strip() == "True", here.stderr[-2000:]  # what made the difference
