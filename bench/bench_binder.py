"""Binder: the size of the image a build would produce, and three open notebooks in 2 GB.

No container can be built here, so the build is emulated as tests/notebooks/test_binder.py
does it: a virtual environment of binder/runtime.txt's Python, `pip install -r
binder/requirements.txt`, then binder/postBuild (kept in build/binder-env between runs).
Image size: that environment plus the repository, against the bare interpreter's
environment (the baseline, what any Python image has anyway).

Memory: a JupyterLab server of that environment and three kernels that each ran a
tutorial top to bottom and stay open, as a learner who opened three notebooks leaves
them. Binder limits the container's memory (a cgroup), which counts a page shared by
several processes once: the figure is the sum of PSS (proportional set size, from
/proc/<pid>/smaps_rollup) over the server and the kernels; RSS, which counts TensorFlow's
shared libraries once per kernel, is given alongside. Target: under 2 GB (mybinder.org).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.harness import Result, Timing

REPO = Path(__file__).resolve().parents[1]
ENV = REPO / "build" / "binder-env"
LIMIT_MB = 2048
OPENED = ("tutorials/00_start_here.ipynb", "tutorials/06_when_restores_go_wrong.ipynb",
          "tutorials/09_migrating_to_tf2.ipynb")


def _du_mb(*paths: Path) -> float:
    out = subprocess.run(["du", "-sbc", *map(str, paths)], capture_output=True, text=True,
                         check=True).stdout.splitlines()[-1]
    return int(out.split()[0]) / 1e6


def _runtime_python() -> str:
    wanted = (REPO / "binder" / "runtime.txt").read_text().strip().removeprefix("python-")
    found = shutil.which(f"python{wanted}")
    if not found:
        raise RuntimeError(f"binder/runtime.txt asks for Python {wanted}: not found")
    return found


def build_env() -> Path:
    """build/binder-env/venv from binder/ alone (reused when binder/ did not change)."""
    stamp = ENV / "binder-files.json"
    files = {p.name: p.read_text() for p in sorted((REPO / "binder").iterdir())}
    files["constraints.txt"] = (REPO / "constraints.txt").read_text()
    if stamp.exists() and json.loads(stamp.read_text()) == files:
        return ENV / "venv"
    shutil.rmtree(ENV, ignore_errors=True)
    ENV.mkdir(parents=True)
    subprocess.run([_runtime_python(), "-m", "venv", str(ENV / "venv")], check=True)
    python = str(ENV / "venv" / "bin" / "python")
    subprocess.run([python, "-m", "pip", "install", "--quiet", "-r",
                    str(REPO / "binder" / "requirements.txt")], check=True, cwd=ENV)
    env = {**os.environ, "PATH": f"{ENV / 'venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    subprocess.run(["bash", "binder/postBuild"], check=True, cwd=REPO, env=env)
    stamp.write_text(json.dumps(files))
    return ENV / "venv"


def memory_kb(pid: int) -> tuple[int, int]:
    """(PSS, RSS) in kB of a process and all its descendants."""
    pss = rss = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1])
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        pending += [int(child) for child in children]
    return pss, rss


def _api(base: str, token: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"{base}{path}", method="POST" if body is not None else "GET",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(request, timeout=60))


def three_open_notebooks(venv: Path, scratch: Path) -> tuple[int, int, list[str]]:
    """Start the environment's JupyterLab, run three tutorials in kernels of that server
    (nbclient on the server's own kernels), keep them open; (PSS kB, RSS kB, notes)."""
    import nbformat
    from jupyter_client.blocking import BlockingKernelClient
    from nbclient import NotebookClient

    from ckptlab.commands.lab import free_port

    work = scratch / "work"
    shutil.copytree(REPO / "tutorials", work / "tutorials")
    shutil.copytree(REPO / "exercises", work / "exercises")
    port, token = free_port(8990), "ckptlab-bench"
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(scratch / "runtime"),
           "JUPYTER_CONFIG_DIR": str(scratch / "config"),
           "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    server = subprocess.Popen(
        [str(venv / "bin" / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1",
         f"--port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}",
         "--allow-root"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    base, notes = f"http://127.0.0.1:{port}", []
    try:
        for _ in range(120):
            try:
                _api(base, token, "/api/status")
                break
            except OSError:
                time.sleep(0.5)
        for relative in OPENED:
            kernel = _api(base, token, "/api/sessions", {
                "path": relative, "type": "notebook", "name": "",
                "kernel": {"name": "python3"}})["kernel"]
            connection = json.loads((scratch / "runtime" / f"kernel-{kernel['id']}.json")
                                    .read_text())
            client = BlockingKernelClient()
            client.load_connection_info(connection)
            client.start_channels()
            notebook = nbformat.read(work / relative, as_version=4)
            runner = NotebookClient(notebook, timeout=600, kc=client,
                                    resources={"metadata": {"path": str(
                                        (work / relative).parent)}})
            start = time.perf_counter()
            runner.kc = client
            for index, cell in enumerate(notebook.cells):
                runner.execute_cell(cell, index)
            client.stop_channels()
            notes.append(f"{relative} ran in {time.perf_counter() - start:.0f} s")
        time.sleep(2)
        pss, rss = memory_kb(server.pid)
        return pss, rss, notes
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=60)


def run(quick: bool = False) -> list[Result]:
    venv = build_env()
    with tempfile.TemporaryDirectory() as scratch:
        bare = Path(scratch) / "bare"
        subprocess.run([_runtime_python(), "-m", "venv", str(bare)], check=True)
        image = _du_mb(venv, REPO / "tutorials", REPO / "exercises", REPO / "ckptlab")
        results = [Result("Binder image (emulated: venv from binder/ + notebooks + package)",
                          "size", "MB", Timing.of([image]), "bare Python venv",
                          Timing.of([_du_mb(bare)]))]
        pss, rss, notes = three_open_notebooks(venv, Path(scratch))
    results.append(Result("Binder: JupyterLab + 3 open notebooks (each ran a tutorial)",
                          "memory (PSS)", "MB", Timing.of([pss / 1024]),
                          target=f"< {LIMIT_MB} MB", met=pss / 1024 < LIMIT_MB,
                          notes=f"RSS sum {rss / 1024:.0f} MB; " + "; ".join(notes)))
    return results


if __name__ == "__main__":  # python -m bench.bench_binder: print the figures
    for result in run():
        print(result.benchmark, result.measure, f"{result.value.median:.0f} {result.unit}",
              result.notes)
    sys.exit(0)
