"""`ckptlab lab`: start JupyterLab on the tutorials, on 127.0.0.1 only."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from importlib import resources
from pathlib import Path

from ckptlab.errors import SetupError, UsageError
from ckptlab.render.links import COPY_NAME

STOP_SECONDS = 10.0
_FORWARDED = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP")
                   if hasattr(signal, name))


class _Stop(Exception):
    """This process was asked to stop (SIGTERM/SIGHUP): stop JupyterLab first."""


def repository_notebooks() -> Path | None:
    """The root of a source checkout (holding tutorials/ and exercises/), if ckptlab runs
    from one: tutorials link to ../exercises/, so the server's root must hold both."""
    candidate = Path(__file__).resolve().parents[2]
    return candidate if (candidate / "tutorials").is_dir() else None


def packaged_notebooks() -> Path | None:
    """The notebooks shipped inside the wheel (tutorials/ and exercises/)."""
    root = Path(str(resources.files("ckptlab"))) / "_notebooks"
    return root if root.is_dir() else None


def copy_packaged_notebooks(source: Path, target: Path) -> Path:
    """Copy the shipped notebooks to `target`, never overwriting a learner's file."""
    for path in sorted(source.rglob("*")):
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
        elif not destination.exists():
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
    return target


def resolve_directory(requested: str | None, cwd: Path, copy: bool = True) -> Path:
    """The folder to serve. After a pip install that is a copy of the shipped notebooks
    in `cwd`, made here unless copy is False (a dry run changes nothing on disk)."""
    if requested:
        path = Path(requested).expanduser().resolve()
        if not path.is_dir():
            raise UsageError(
                f"No folder at {path}.",
                fix="Pass an existing folder, or nothing to open the ckptlab tutorials.",
                received=requested,
            )
        return path
    in_repo = repository_notebooks()
    if in_repo is not None:
        return in_repo
    shipped = packaged_notebooks()
    if shipped is None:
        raise SetupError(
            "This ckptlab installation carries no tutorials.",
            fix="Reinstall ckptlab (from the clone or wheel you installed it from), or run "
            "`ckptlab lab FOLDER` on a folder of notebooks.",
        )
    target = cwd / COPY_NAME
    return copy_packaged_notebooks(shipped, target) if copy else target


def free_port(first: int, host: str = "127.0.0.1", tries: int = 50) -> int:
    for port in range(first, first + tries):
        with socket.socket() as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return port
    raise SetupError(
        f"Ports {first} to {first + tries - 1} are all in use on {host}.",
        fix="Stop another Jupyter server, or pass --port with a free port.",
    )


def has_display() -> bool:
    """Whether a browser window could open (always on macOS and Windows)."""
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


START_NOTEBOOK = "tutorials/00_start_here.ipynb"


def start_page(directory: Path) -> str:
    """The page JupyterLab opens: the first tutorial (exercises one click away)."""
    if (directory / START_NOTEBOOK).is_file():
        return f"/lab/tree/{START_NOTEBOOK}"
    return "/lab/tree/tutorials" if (directory / "tutorials").is_dir() else ""


# JupyterLab defaults ckptlab sets (its labconfig/default_setting_overrides.d/ckptlab.json):
# save widget state with the notebook. JupyterLab does not by default, so a notebook
# reopened (or reloaded after a kernel restart) showed "Error displaying widget: model not
# found" where each widget was; with the state saved it shows each widget's last view.
JUPYTER_CONFIG = Path(__file__).resolve().parent / "jupyter_config"


def lab_environment(environ: dict[str, str]) -> dict[str, str]:
    """`environ` with JUPYTER_CONFIG_PATH ending in ckptlab's JUPYTER_CONFIG: JupyterLab
    reads the default settings in its labconfig when it starts. Nothing is
    written: not the learner's settings (what they set themselves still wins, a default
    only changes what is unset), not the Python environment. Their own JUPYTER_CONFIG_PATH
    entries come first, so they win over ckptlab's too."""
    entries = [e for e in environ.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if e]
    if str(JUPYTER_CONFIG) not in entries:
        entries.append(str(JUPYTER_CONFIG))
    return {**environ, "JUPYTER_CONFIG_PATH": os.pathsep.join(entries)}


def lab_command(directory: Path, port: int) -> list[str]:
    command = [
        sys.executable, "-m", "jupyterlab",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        f"--ServerApp.root_dir={directory}",
    ]
    start = start_page(directory)
    if start:  # JupyterLab reads its start page from LabApp, not ServerApp
        command.append(f"--LabApp.default_url={start}")
    if not has_display():
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command


def serve(command: list[str], env: dict[str, str] | None = None) -> int:
    """Run JupyterLab as a child that ends with this process: SIGTERM, SIGHUP and Ctrl-C
    are passed on to it, and it is killed if it does not stop within STOP_SECONDS."""
    server = subprocess.Popen(command, env=env)

    def stop(signum, frame) -> None:
        raise _Stop(signum)

    previous = {sig: signal.signal(sig, stop) for sig in _FORWARDED}
    try:
        return server.wait()
    except (_Stop, KeyboardInterrupt):
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_lab(args) -> int:
    directory = resolve_directory(args.directory, Path.cwd(), copy=not args.dry_run)
    command = lab_command(directory, free_port(args.port))
    if args.dry_run:
        if not directory.exists():
            print(f"ckptlab lab: would copy the tutorials to {directory}")
        extra = lab_environment(dict(os.environ))["JUPYTER_CONFIG_PATH"]
        print(f"JUPYTER_CONFIG_PATH={extra} " + " ".join(command))
        return 0
    print(f"ckptlab lab: serving {directory}", flush=True)
    print("ckptlab lab: the URL to open is printed below (it starts with http://127.0.0.1)",
          flush=True)
    return serve(command, lab_environment(dict(os.environ)))
