"""A throw-away JupyterLab server on 127.0.0.1 for browser tests."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

# Quiet settings: no news or update checks from a machine without internet.
QUIET_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False,
    },
}


@dataclass
class JupyterServer:
    url: str
    token: str
    workspace: Path
    process: subprocess.Popen
    log: Path

    def page_url(self, relative: str) -> str:
        return f"{self.url}lab/tree/{relative}?token={self.token}"

    def add(self, source: Path) -> str:
        """Copy a file into the workspace; returns its path relative to the workspace."""
        shutil.copy2(source, self.workspace / source.name)
        return source.name

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def start_jupyterlab(base: Path, timeout: float = 120, attempts: int = 3,
                     env: dict[str, str] | None = None) -> JupyterServer:
    """JupyterLab on a port the OS picks (--port=0), read back from the server's own info
    file: no port is chosen before the server binds it, so parallel runs cannot collide.
    A start that loses its port in the server's own probe-then-bind window is retried.
    `env`: more environment for the server (e.g. JUPYTER_PATH with other kernels)."""
    workspace, settings = base / "workspace", base / "settings"
    for folder in (workspace, settings, base / "config", base / "lab-ws"):
        folder.mkdir(parents=True, exist_ok=True)
    for name, values in QUIET_SETTINGS.items():
        target = settings / name  # <settings>/@scope/extension/plugin.jupyterlab-settings
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    for attempt in range(1, attempts + 1):
        try:
            return _start(base, workspace, settings, timeout, attempt, env or {})
        except _LostPort:
            continue
    raise RuntimeError(f"JupyterLab lost its port {attempts} times in a row")


class _LostPort(Exception):
    pass


def _start(base: Path, workspace: Path, settings: Path, timeout: float,
           attempt: int, more_env: dict[str, str]) -> JupyterServer:
    runtime = base / f"runtime-{attempt}"  # one info file per attempt: never a stale port
    runtime.mkdir()
    token = secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(base / "config"),
               JUPYTER_RUNTIME_DIR=str(runtime), **more_env)
    env.pop("DISPLAY", None)
    log = base / "jupyterlab.log"
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
        "--port=0", "--port-retries=0", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={workspace}", f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={base / 'lab-ws'}",
        "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: open a file, no reload
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env,
                                   start_new_session=True)
    server = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            text = log.read_text()
            if "is already in use" in text or "not available" in text:
                raise _LostPort
            raise RuntimeError(f"JupyterLab exited early:\n{text}")
        if server is None:
            server = _from_info_file(runtime, token, workspace, process, log)
        if server is not None:
            try:
                urllib.request.urlopen(f"{server.url}api/status?token={token}", timeout=2)
                return server
            except OSError:
                pass
        time.sleep(0.2)  # polling the server's start, not waiting for a guessed time
    JupyterServer("", token, workspace, process, log).stop()
    raise RuntimeError(f"JupyterLab did not answer within {timeout} s:\n{log.read_text()}")


def _from_info_file(runtime: Path, token: str, workspace: Path, process: subprocess.Popen,
                    log: Path) -> JupyterServer | None:
    """The server as its info file (jpserver-<pid>.json, written once it listens) names it."""
    info = runtime / f"jpserver-{process.pid}.json"
    try:
        port = json.loads(info.read_text())["port"]
    except (OSError, ValueError, KeyError):  # not written yet, or half written
        return None
    return JupyterServer(f"http://127.0.0.1:{port}/", token, workspace, process, log)
