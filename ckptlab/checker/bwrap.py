"""The bubblewrap command line of a check's sandbox, and the probe of whether one starts.

One `Bwrap` per machine (found by `probe()`): the absolute path of the bwrap that was
probed (the holder is started with a minimal PATH, so it must be the same binary), and
whether it keeps learner code from making user namespaces of its own (`--disable-userns`,
bubblewrap 0.8 and later, with a grader that is not root; a host that refuses bwrap the
sysctl it needs for it gets a sandbox without it rather than none).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ckptlab.checker.scratch import scratch_folder

__all__ = ["INSIDE", "SANDBOX_UID", "Bwrap", "prepare_scratch", "probe"]

SANDBOX_UID = 65534  # "nobody": owns nothing on the host
INSIDE = "/sandbox"  # where the scratch folder appears inside the sandbox
PROBE_SECONDS = 20
_ETC_FILES = ("/etc/ld.so.cache", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf",
              "/etc/localtime", "/etc/hosts")


def _python_paths() -> list[str]:
    """What the checker's Python needs to see: its installation, its venv, ckptlab itself,
    and every site-packages folder on its path (a user install, a venv's .pth pointing to
    another). Never the cwd or a script's folder: they may hold the submissions."""
    package = str(Path(__file__).resolve().parents[1])  # the ckptlab package itself
    paths = {os.path.realpath(p) for p in (sys.base_prefix, sys.prefix, sys.exec_prefix)}
    paths.add(os.path.realpath(os.path.dirname(sys.executable)))
    paths.add(package)
    paths |= {os.path.realpath(p) for p in sys.path if p and os.path.isdir(p)
              and Path(p).name in ("site-packages", "dist-packages")}
    # keep only the outermost folders (a venv inside the package root is bound once)
    return sorted(p for p in paths if not any(p != q and p.startswith(q + os.sep) for q in paths))


def prepare_scratch(base: Path, for_sandbox_uid: bool) -> Path:
    """The scratch folder's layout: submission/ (read-only inside) and work/, which
    belongs to uid 65534 when `for_sandbox_uid` (a root grader's sandbox: learner code
    runs as that uid; with a user namespace it is the grader's own uid already, and an
    unisolated check runs as the grader)."""
    for name in ("submission", "work"):
        (base / name).mkdir(exist_ok=True)
    if for_sandbox_uid:
        os.chown(base / "work", SANDBOX_UID, SANDBOX_UID)
    os.chmod(base, 0o755)
    return base


@dataclass(frozen=True)
class Bwrap:
    """The bubblewrap of this machine and how its sandboxes are made."""

    path: str  # absolute: the binary probed is the binary run
    userns: bool  # not root: bwrap maps uid 65534 onto ours in a user namespace
    # learner code cannot make a user namespace of its own (--disable-userns)
    userns_locked: bool = False
    unlocked_because: str = ""  # why not, when a grader that is not root could not lock

    def args(self, scratch: Path) -> list[str]:
        """bwrap's arguments for a sandbox over `scratch`, the command to run left out."""
        args = [self.path, "--die-with-parent", "--unshare-pid", "--unshare-net",
                "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--new-session",
                "--hostname", "sandbox"]
        if self.userns:
            args += ["--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID)]
        if self.userns_locked:
            # a user namespace of its own would give learner code every capability over
            # the namespaces it makes: a wider reach into the kernel, nothing a check needs
            args.append("--disable-userns")
        for top in ("bin", "lib", "lib32", "lib64", "sbin"):
            host = Path("/") / top
            if host.is_symlink():
                args += ["--symlink", os.readlink(host), str(host)]
            elif host.is_dir():
                args += ["--ro-bind", str(host), str(host)]
        args += ["--ro-bind", "/usr", "/usr"]
        for path in _ETC_FILES:
            args += ["--ro-bind-try", path, path]
        # the private /tmp first: a Python or a checkout under the host's /tmp is bound on
        # top of it below (mounted after it, so not hidden by it)
        args += ["--proc", "/proc", "--dev", "/dev",
                 "--perms", "1777", "--size", str(64 << 20), "--tmpfs", "/tmp"]
        parents: list[str] = []
        for path in _python_paths():
            for parent in reversed(Path(path).parents):
                if str(parent) not in ("/", "/tmp") and str(parent) not in parents:
                    parents.append(str(parent))
        for parent in parents:  # bwrap would make them 0700: unreadable for uid 65534
            args += ["--perms", "0755", "--dir", parent]
        for path in _python_paths():
            args += ["--ro-bind", path, path]
        args += ["--bind", str(scratch), INSIDE,
                 "--ro-bind", str(scratch / "submission"), f"{INSIDE}/submission",
                 "--chdir", f"{INSIDE}/work"]
        return args

    def holder(self, scratch: Path) -> list[str]:
        """The sandbox's placeholder process: says when the sandbox is ready (mounts
        done), then lives until the host closes its stdin. As root it keeps uid 0 without
        any capability: learner processes (uid 65534) cannot signal it."""
        return [*self.args(scratch), "--cap-drop", "ALL", "/bin/sh", "-c", "echo ready; read _"]


def _starts(bwrap: Bwrap) -> str:
    """'' when a sandbox of `bwrap` starts here, else what went wrong."""
    with scratch_folder("probe") as tmp:
        scratch = prepare_scratch(Path(tmp), for_sandbox_uid=not bwrap.userns)
        try:
            done = subprocess.run([*bwrap.args(scratch), "/bin/true"], capture_output=True,
                                  text=True, timeout=PROBE_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            return f"bwrap did not start a sandbox within {PROBE_SECONDS} s"
        except (OSError, subprocess.SubprocessError) as error:
            return f"{type(error).__name__}: {error}"[:300]
        return "" if done.returncode == 0 else (done.stderr.strip() or f"rc {done.returncode}")


def probe(path: str, userns: bool) -> tuple[Bwrap | None, str]:
    """(the Bwrap that starts a sandbox here, "") or (None, what went wrong). Not root:
    with --disable-userns first, then without (an older bubblewrap does not know it; a
    container may refuse bwrap the sysctl user.max_user_namespaces it writes for it),
    keeping why the lock failed (the isolation line says it)."""
    why = ""
    if userns:
        locked = Bwrap(path, userns, userns_locked=True)
        why = _starts(locked)
        if not why:
            return locked, ""
    unlocked = Bwrap(path, userns, unlocked_because=why.splitlines()[0][:200] if why else "")
    problem = _starts(unlocked)
    return (unlocked, "") if not problem else (None, problem)
