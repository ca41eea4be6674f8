"""Which cgroups a check's sandbox makes, and which process limit it then has, on a
machine of each kind: with cgroups that record what the sandbox asks of them, so the v2
branches run on a machine of cgroup v1 too (the real ones: tf/test_isolation)."""

from typing import ClassVar

import pytest

from ckptlab.checker import isolation
from ckptlab.checker.bwrap import Bwrap
from ckptlab.checker.isolation import Sandbox, Support
from ckptlab.checker.limits import Limits


class RecordingCgroup:
    """A cgroup of `kind` that takes the settings it is given, except those in `refused`."""

    made: ClassVar[list] = []
    refused: ClassVar[set] = set()

    def __init__(self, controller: str, kind: str, settings: dict):
        if set(settings) & self.refused:
            raise OSError(f"cannot write {sorted(settings)} (refused)")
        self.controller, self.kind, self.settings = controller, kind, dict(settings)
        self.procs = f"/fake/{controller}/cgroup.procs"
        self.made.append(self)

    def set(self, name: str, value: int) -> bool:
        if name in self.refused:
            return False
        self.settings[name] = value
        return True

    def pids(self) -> list[int]:
        return []

    def kill_all(self) -> None:
        pass

    def remove(self) -> None:
        pass


@pytest.fixture
def machine(monkeypatch, tmp_path):
    """Sandbox(...) on a machine of the given Support, without starting bubblewrap."""
    RecordingCgroup.made = []
    monkeypatch.setattr(isolation, "CheckCgroup", RecordingCgroup)
    monkeypatch.setattr(Sandbox, "_start_holder", lambda self: None)
    monkeypatch.setattr(isolation, "prepare_scratch", lambda base, for_sandbox_uid: base)

    def sandbox(support: Support, refused: set = frozenset()) -> Sandbox:
        monkeypatch.setattr(isolation, "support", lambda: support)
        monkeypatch.setattr(RecordingCgroup, "refused", set(refused))
        return Sandbox(Limits(processes=300))
    return sandbox


def _support(memory: str, pids: str, userns: bool) -> Support:
    return Support(True, "", userns, memory, pids, nproc=userns, bwrap="/usr/bin/bwrap")


def test_v2_puts_the_process_limit_into_the_memory_cgroup(machine):
    with machine(_support("v2", "v2", userns=False)) as box:
        assert [group.controller for group in RecordingCgroup.made] == ["memory"]
        assert box.pids_cgroup is box.cgroup and box.cgroup.settings["pids.max"] == 300
        assert box.join_request()["processes"] == 300 and box.join_request()["nproc"] == 0
        assert "pids cgroup v2" in box.describe()


def test_v2_refusing_pids_max_makes_no_second_cgroup_and_as_root_no_limit(machine):
    """A second v2 cgroup would take the supervisor out of the memory cgroup: none is
    made; as root (uid 65534 is every check's) there is then no process limit."""
    with machine(_support("v2", "v2", userns=False), refused={"pids.max"}) as box:
        assert [group.controller for group in RecordingCgroup.made] == ["memory"]
        assert box.cgroup is not None and box.pids_cgroup is None
        assert not box.processes_limited
        assert (box.join_request()["nproc"], box.join_request()["processes"]) == (0, 0)
        assert "processes not limited: no pids cgroup" in box.describe()
        assert "memory cgroup v2" in box.describe()


@pytest.mark.parametrize("memory, pids", [("v2", "v2"), ("v1", "v1"), ("", "v1")])
def test_without_its_pids_cgroup_a_grader_that_is_not_root_uses_rlimit_nproc(machine, memory,
                                                                             pids):
    """The machine has a pids controller, but the check's pids cgroup could not be set
    (v2: pids.max refused in the memory cgroup) or made (v1: the cgroup refused):
    RLIMIT_NPROC, which the sandbox's own user namespace counts, still holds the limit."""
    with machine(_support(memory, pids, userns=True), refused={"pids.max"}) as box:
        assert box.pids_cgroup is None and box.processes_limited
        request = box.join_request()
        assert (request["nproc"], request["processes"]) == (300, 300)
        assert "processes limited by RLIMIT_NPROC" in box.describe()


def test_support_knows_rlimit_nproc_counts_per_namespace_beside_a_pids_controller(
        monkeypatch):
    """A grader that is not root on Linux >= 5.14, on a machine with a pids controller:
    RLIMIT_NPROC stays the fallback for a check whose pids cgroup fails (Support.nproc)."""
    monkeypatch.delenv("CKPTLAB_NO_SANDBOX", raising=False)
    monkeypatch.setattr(isolation.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(isolation, "probe", lambda path, userns: (Bwrap(path, userns), ""))
    monkeypatch.setattr(isolation, "cgroup_kind", lambda controller: "v1")
    monkeypatch.setattr(isolation, "_nproc_counts_per_namespace", lambda: True)
    for euid, nproc in ((1000, True), (0, False)):  # as root uid 65534 is every check's
        monkeypatch.setattr(isolation.os, "geteuid", lambda euid=euid: euid)
        found = isolation.support.__wrapped__()
        assert (found.isolated, found.pids, found.nproc) == (True, "v1", nproc), found
