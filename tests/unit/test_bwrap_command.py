"""The bubblewrap command line and the probe that picks it: the lock on user namespaces
(--disable-userns) is asked for only by a grader that is not root, and a host where
bwrap cannot have it (an older bubblewrap; a container refusing the sysctl it writes)
still gets a sandbox, without the lock, rather than none. The real sandbox:
tf/test_isolation."""

from pathlib import Path

from ckptlab.checker import bwrap
from ckptlab.checker.bwrap import Bwrap, probe


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
    assert (found, problem) == (Bwrap("/opt/bwrap", True, userns_locked=False), "")
    assert ["--disable-userns" in args for args in tried] == [True, False]


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
