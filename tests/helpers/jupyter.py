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

from ckptlab.commands.lab import free_port

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


def start_jupyterlab(base: Path, timeout: float = 120) -> JupyterServer:
    workspace, settings = base / "workspace", base / "settings"
    for folder in (workspace, settings, base / "config", base / "runtime", base / "lab-ws"):
        folder.mkdir(parents=True, exist_ok=True)
    for name, values in QUIET_SETTINGS.items():
        target = settings / name  # <settings>/@scope/extension/plugin.jupyterlab-settings
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    token, port = secrets.token_hex(16), free_port(18888)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(base / "config"),
               JUPYTER_RUNTIME_DIR=str(base / "runtime"))
    env.pop("DISPLAY", None)
    log = base / "jupyterlab.log"
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
        f"--port={port}", "--port-retries=0", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={workspace}", f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={base / 'lab-ws'}",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env,
                                   start_new_session=True)
    server = JupyterServer(f"http://127.0.0.1:{port}/", token, workspace, process, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited early:\n{log.read_text()}")
        try:
            urllib.request.urlopen(f"{server.url}api/status?token={token}", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"JupyterLab did not answer within {timeout} s:\n{log.read_text()}")
