"""The last line of `ckptlab grade`: how checks on this machine are isolated, for the
instructor's record; nothing of this machine when the checks ran on a Dask cluster's.
(The real command: tf/test_sandbox_attacks, the three-learner grade.)"""

from argparse import Namespace

from ckptlab.checker.isolation import Support
from ckptlab.classroom import grading
from ckptlab.commands.check import run_grade

ISOLATED = Support(True, "", True, "", "v1", True, bwrap="/usr/bin/bwrap", userns_locked=True)


def _graded(monkeypatch, capsys, support: Support, scheduler: str = "") -> tuple[str, str]:
    monkeypatch.setattr(grading, "grade_folder", lambda *args, **kwargs: [])
    monkeypatch.setattr("ckptlab.commands.check.support", lambda: support)
    args = Namespace(submissions="subs", exercise="01", out="out", workers=2, timeout=60.0,
                     memory_mb=2048, processes=4096, scheduler=scheduler, engine="dask",
                     require_sandbox=False)
    assert run_grade(args) == 0
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_an_isolated_machine_says_how(monkeypatch, capsys):
    out, err = _graded(monkeypatch, capsys, ISOLATED)
    assert out.splitlines()[-1] == (
        "checks on this machine are isolated with bubblewrap (user namespace, none of the "
        "learner's own, no network, memory measured over the tree, pids cgroup v1)")
    assert err == ""


def test_an_unisolated_machine_warns(monkeypatch, capsys):
    out, err = _graded(monkeypatch, capsys, Support(False, "bubblewrap is not installed"))
    assert "isolated" not in out
    assert err.strip() == "warning: the checks were not isolated because bubblewrap is not " \
                          "installed"


def test_checks_on_a_cluster_say_nothing_of_this_machine(monkeypatch, capsys):
    for support in (ISOLATED, Support(False, "bubblewrap is not installed")):
        out, err = _graded(monkeypatch, capsys, support, scheduler="tcp://10.0.0.5:8786")
        assert "isolated" not in out + err
