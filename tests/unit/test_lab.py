"""`ckptlab lab` serves the tutorials on loopback and never overwrites learner files."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from argparse import Namespace
from pathlib import Path

import pytest

from ckptlab.commands import lab
from ckptlab.errors import UsageError

REPO = Path(__file__).resolve().parents[2]


def test_command_binds_loopback_and_serves_the_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    command = lab.lab_command(tmp_path, 8899)
    assert "--ip=127.0.0.1" in command
    assert f"--ServerApp.root_dir={tmp_path}" in command
    if sys.platform.startswith("linux"):
        assert "--no-browser" in command


def test_default_folder_in_a_checkout_opens_tutorials_with_exercises_reachable(tmp_path):
    root = lab.resolve_directory(None, tmp_path)
    assert root == REPO and (root / "exercises").is_dir()
    start = "--LabApp.default_url=/lab/tree/tutorials/00_start_here.ipynb"
    assert start in lab.lab_command(root, 8899)
    assert not any("default_url" in part for part in lab.lab_command(tmp_path, 8899))


WIDGET_MANAGER = "@jupyter-widgets/jupyterlab-manager:plugin"


def test_lab_environment_adds_ckptlabs_defaults_after_the_learners_own():
    overrides = (lab.JUPYTER_CONFIG / "labconfig" / "default_setting_overrides.d"
                 / "ckptlab.json")
    assert json.loads(overrides.read_text()) == {WIDGET_MANAGER: {"saveState": True}}
    assert lab.lab_environment({"HOME": "/h"}) == {
        "HOME": "/h", "JUPYTER_CONFIG_PATH": str(lab.JUPYTER_CONFIG)}
    own = os.pathsep.join(["/mine", "/also-mine"])
    env = lab.lab_environment({"JUPYTER_CONFIG_PATH": own})
    assert env["JUPYTER_CONFIG_PATH"] == os.pathsep.join([own, str(lab.JUPYTER_CONFIG)])
    assert lab.lab_environment(env) == env  # once, however often


def test_missing_folder_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="No folder at"):
        lab.resolve_directory(str(tmp_path / "nope"), tmp_path)


def test_copy_keeps_the_learners_edits(tmp_path):
    shipped = tmp_path / "shipped"
    (shipped / "tutorials").mkdir(parents=True)
    (shipped / "tutorials" / "a.ipynb").write_text("new")
    (shipped / "tutorials" / "b.ipynb").write_text("new")
    target = tmp_path / "copy"
    (target / "tutorials").mkdir(parents=True)
    (target / "tutorials" / "a.ipynb").write_text("learner's edits")
    lab.copy_packaged_notebooks(shipped, target)
    assert (target / "tutorials" / "a.ipynb").read_text() == "learner's edits"
    assert (target / "tutorials" / "b.ipynb").read_text() == "new"


def test_dry_run_prints_the_command(capsys):
    args = Namespace(directory=None, port=8950, dry_run=True)
    assert lab.run_lab(args) == 0
    out = capsys.readouterr().out
    assert "jupyterlab" in out and "--ip=127.0.0.1" in out


def test_dry_run_after_a_pip_install_copies_nothing(tmp_path, monkeypatch, capsys):
    shipped = tmp_path / "shipped"
    (shipped / "tutorials").mkdir(parents=True)
    (shipped / "tutorials" / "00_start_here.ipynb").write_text("{}")
    monkeypatch.setattr(lab, "repository_notebooks", lambda: None)
    monkeypatch.setattr(lab, "packaged_notebooks", lambda: shipped)
    monkeypatch.chdir(tmp_path)
    assert lab.run_lab(Namespace(directory=None, port=8950, dry_run=True)) == 0
    assert not (tmp_path / lab.COPY_NAME).exists()
    assert f"would copy the tutorials to {tmp_path / lab.COPY_NAME}" in capsys.readouterr().out
    copied = lab.resolve_directory(None, tmp_path)
    assert (copied / "tutorials" / "00_start_here.ipynb").is_file()


def test_lab_really_serves_the_tutorials(tmp_path):
    port = lab.free_port(8970)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    env.pop("DISPLAY", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "ckptlab", "lab", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        start_new_session=True,
    )
    try:
        url, lines = None, []
        deadline = time.monotonic() + 90
        while url is None and time.monotonic() < deadline:
            line = server.stdout.readline()
            if not line:
                break
            lines.append(line)
            if f"http://127.0.0.1:{port}/" in line and "token=" in line:
                url = line[line.index("http://"):].strip()
        assert url, "no URL printed:\n" + "".join(lines)
        token = url.split("token=")[1]
        api = f"http://127.0.0.1:{port}/api/contents/tutorials?token={token}"
        listing = None
        while listing is None and time.monotonic() < deadline:
            try:
                listing = json.load(urllib.request.urlopen(api, timeout=10))
            except OSError:
                time.sleep(0.5)
        served = {entry["name"] for entry in listing["content"]}
        expected = {p.name for p in (REPO / "tutorials").iterdir() if not p.name.startswith(".")}
        assert served == expected
        # the start page is the first tutorial
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", f"/?token={token}")
        response = connection.getresponse()
        assert response.status in (301, 302)
        assert response.getheader("Location").startswith(
            "/lab/tree/tutorials/00_start_here.ipynb")
        # widget state is saved with the notebook: a default ckptlab sets, while the
        # learner's own settings stay empty (nothing was written to them)
        plugin = (f"http://127.0.0.1:{port}/lab/api/settings/{WIDGET_MANAGER}"
                  f"?token={token}")
        answer = json.load(urllib.request.urlopen(plugin, timeout=10))
        assert answer["schema"]["properties"]["saveState"]["default"] is True
        assert answer["settings"] == {} and answer["raw"] in ("", "{}")
        # SIGTERM to ckptlab lab alone (not its process group) stops JupyterLab too
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        with pytest.raises(OSError):
            urllib.request.urlopen(api, timeout=5)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
