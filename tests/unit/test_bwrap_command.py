"""The bubblewrap command line and the probe that picks it: the lock on user namespaces
(--disable-userns) is asked for only by a grader that is not root, and a host where
bwrap cannot have it (an older bubblewrap; a container refusing the sysctl it writes)
still gets a sandbox, without the lock, rather than none. The real sandbox:
tf/test_isolation."""

import os
from pathlib import Path

import pytest

from ckptlab.checker import bwrap, isolation
from ckptlab.checker.bwrap import Bwrap, probe
from ckptlab.checker.isolation import Sandbox, Support
from ckptlab.checker.limits import Limits


def _probe_where(monkeypatch, refuses_lock: bool, refuses_all: bool = False):
    """probe() on a host whose bwrap fails as told; returns what it tried."""
    tried: list[list[str]] = []

    def starts(candidate: Bwrap) -> str:
        args = candidate.args(Path("/nonexistent/scratch"))
        tried.append(args)
        if refuses_all:
            return "bwrap: setting up uid map: Permission denied"
        if refuses_lock and "--disable-userns" in args:
            return "bwrap: cannot open /proc/sys/user/max_user_namespaces: Permission denied"
        return ""
    monkeypatch.setattr(bwrap, "_starts", starts)
    return tried


def test_a_grader_that_is_not_root_locks_user_namespaces(monkeypatch):
    tried = _probe_where(monkeypatch, refuses_lock=False)
    found, problem = probe("/opt/bwrap", userns=True)
    assert (found, problem) == (Bwrap("/opt/bwrap", True, userns_locked=True), "")
    assert len(tried) == 1 and tried[0][0] == "/opt/bwrap"
    assert "--disable-userns" in tried[0] and "--unshare-user" in tried[0]


def test_a_host_refusing_the_lock_gets_a_sandbox_without_it(monkeypatch):
    tried = _probe_where(monkeypatch, refuses_lock=True)
    found, problem = probe("/opt/bwrap", userns=True)
    assert (found, problem) == (Bwrap("/opt/bwrap", True, userns_locked=False, unlocked_because=(
        "bwrap: cannot open /proc/sys/user/max_user_namespaces: Permission denied")), "")
    assert ["--disable-userns" in args for args in tried] == [True, False]
    # and the isolation line says so
    line = Support(True, "", True, bwrap="/opt/bwrap",
                   unlocked_because=found.unlocked_because).describe()
    assert "user namespace, learner code may make its own: bwrap: cannot open" in line


def test_as_root_no_lock_is_asked_for(monkeypatch):
    """bwrap as root makes no user namespace, so it has none to lock (and --disable-userns
    needs one); uid 65534 is a plain host user there."""
    tried = _probe_where(monkeypatch, refuses_lock=True)
    found, _ = probe("/usr/bin/bwrap", userns=False)
    assert found == Bwrap("/usr/bin/bwrap", False, userns_locked=False)
    assert len(tried) == 1 and "--disable-userns" not in tried[0]
    assert "--unshare-user" not in tried[0]


def test_a_host_where_no_sandbox_starts_says_what_went_wrong(monkeypatch):
    _probe_where(monkeypatch, refuses_lock=False, refuses_all=True)
    assert probe("/usr/bin/bwrap", userns=True) == (
        None, "bwrap: setting up uid map: Permission denied")


def test_the_holder_is_the_bwrap_probed_without_capabilities():
    command = Bwrap("/opt/bwrap", userns=False).holder(Path("/scratch"))
    assert command[0] == "/opt/bwrap"  # not found again through the holder's own PATH
    assert command[-5:] == ["--cap-drop", "ALL", "/bin/sh", "-c", "echo ready; read _"]
    bind = command.index("--bind")
    assert command[bind:bind + 3] == ["--bind", "/scratch", bwrap.INSIDE]


def test_support_runs_the_bwrap_it_probed(monkeypatch, tmp_path):
    """bwrap found on the grader's PATH through a link: the probe and every holder use
    the file it points to (the holder's own minimal PATH could find another bwrap)."""
    real = tmp_path / "bubblewrap-0.8"
    real.write_text("")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "bwrap").symlink_to(real)
    probed = []
    monkeypatch.delenv("CKPTLAB_NO_SANDBOX", raising=False)
    monkeypatch.setattr(isolation.shutil, "which", lambda name: str(tmp_path / "bin" / name))
    monkeypatch.setattr(isolation.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(isolation, "probe", lambda path, userns: probed.append(path) or (
        Bwrap(path, userns, userns_locked=True), ""))
    found = isolation.support.__wrapped__()
    assert probed == [str(real)] and found.bwrap == str(real) and found.userns_locked
    assert found.bwrap_command.holder(tmp_path)[0] == str(real)
    assert "user namespace, none of the learner's own" in found.describe()


def test_an_isolated_support_without_the_bwrap_probed_is_refused():
    with pytest.raises(ValueError, match="needs the bwrap probed"):
        Support(True, "", userns=True)


def test_an_unisolated_check_chowns_nothing(monkeypatch):
    """A grader that is not root on a machine without bubblewrap: its checks run
    unisolated, as itself, and its scratch folder stays its own (chown would fail)."""
    def refused(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted (chown as a user who is not root)")
    monkeypatch.setattr(os, "chown", refused)
    with Sandbox(Limits(timeout=5), isolated=False) as box:
        assert (box.scratch / "work").is_dir() and not box.isolated


def test_a_probe_that_times_out_says_so(monkeypatch):
    """What the isolation line would carry: the time-out, not bwrap's whole command line."""
    def slow(args, **kwargs):
        raise bwrap.subprocess.TimeoutExpired(args, kwargs["timeout"])
    monkeypatch.setattr(bwrap.subprocess, "run", slow)
    assert bwrap._starts(Bwrap("/usr/bin/bwrap", userns=True)) == (
        f"bwrap did not start a sandbox within {bwrap.PROBE_SECONDS} s")
