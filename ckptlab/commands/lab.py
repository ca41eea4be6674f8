"""`ckptlab lab`: start JupyterLab on the tutorials, on 127.0.0.1 only."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from importlib import resources
from pathlib import Path

from ckptlab.errors import SetupError, UsageError
from ckptlab.render.links import COPY_NAME


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


def resolve_directory(requested: str | None, cwd: Path) -> Path:
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
            fix="Reinstall with `pip install --force-reinstall ckptlab`, or run "
            "`ckptlab lab FOLDER` on a folder of notebooks.",
        )
    return copy_packaged_notebooks(shipped, cwd / COPY_NAME)


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


def lab_command(directory: Path, port: int) -> list[str]:
    command = [
        sys.executable, "-m", "jupyterlab",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        f"--ServerApp.root_dir={directory}",
    ]
    if (directory / "tutorials").is_dir():  # open the learning path, exercises one click away
        command.append("--ServerApp.default_url=/lab/tree/tutorials")
    if not has_display():
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command


def run_lab(args) -> int:
    directory = resolve_directory(args.directory, Path.cwd())
    command = lab_command(directory, free_port(args.port))
    print(f"ckptlab lab: serving {directory}", flush=True)
    print("ckptlab lab: the URL to open is printed below (it starts with http://127.0.0.1)",
          flush=True)
    if args.dry_run:
        print(" ".join(command))
        return 0
    try:
        return subprocess.call(command)
    except KeyboardInterrupt:
        return 0
