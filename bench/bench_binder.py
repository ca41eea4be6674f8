"""Binder: the size of the image a build would produce, and three open notebooks in 2 GB.

No container can be built here, so the build is emulated as tests/notebooks/test_binder.py
does it: a virtual environment of binder/runtime.txt's Python, `pip install -r
binder/requirements.txt`, then binder/postBuild (kept in build/binder-env between runs).
Image size: that environment plus the repository, against the bare interpreter's
environment (the baseline, what any Python image has anyway).

Memory: a JupyterLab server of that environment, on one CPU as on Binder (a cgroup CPU
quota where one can be made, else its affinity; the kernels, warm runners and checks
inherit it), and three kernels that each ran a
tutorial top to bottom and stay open, as a learner who opened three notebooks leaves
them. The three tutorials all call `ckptlab.check`, so each kernel also keeps its warm
runner (the worst case of three open notebooks). Binder limits the container's memory (a
cgroup), which counts a page shared by several processes once: the figure is the sum of
PSS (proportional set size, from /proc/<pid>/smaps_rollup) over the server, the kernels
and everything they started (warm runners, checks), sampled every 0.5 s while the
notebooks run (the peak: Binder stops the session the moment it passes 2 GB) and once at
the end (at rest); RSS, which counts TensorFlow's shared libraries once per process, is
given alongside. Target: the peak under 2 GB (mybinder.org).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from bench.harness import Result, Timing

REPO = Path(__file__).resolve().parents[1]
ENV = REPO / "build" / "binder-env"
LIMIT_MB = 2048
OPENED = ("tutorials/00_start_here.ipynb", "tutorials/03_model_fn_and_modes.ipynb",
          "tutorials/06_when_restores_go_wrong.ipynb")


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
    """build/binder-env/venv from binder/ alone (its requirements reused when binder/ did
    not change); binder/postBuild run every time, so the image holds today's package."""
    stamp = ENV / "binder-files.json"
    files = {p.name: p.read_text() for p in sorted((REPO / "binder").iterdir())}
    files["constraints.txt"] = (REPO / "constraints.txt").read_text()
    if not (stamp.exists() and json.loads(stamp.read_text()) == files):
        shutil.rmtree(ENV, ignore_errors=True)
        ENV.mkdir(parents=True)
        subprocess.run([_runtime_python(), "-m", "venv", str(ENV / "venv")], check=True)
        python = str(ENV / "venv" / "bin" / "python")
        subprocess.run([python, "-m", "pip", "install", "--quiet", "-r",
                        str(REPO / "binder" / "requirements.txt")], check=True, cwd=ENV)
        stamp.write_text(json.dumps(files))
    env = {**os.environ, "PATH": f"{ENV / 'venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    subprocess.run(["bash", "binder/postBuild"], check=True, cwd=REPO, env=env)
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


class Peak:
    """The largest (PSS, RSS) of a process tree, sampled every `every` seconds."""

    def __init__(self, pid: int, every: float = 0.5):
        self.pid, self.every, self.pss, self.rss = pid, every, 0, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.wait(self.every):
            pss, rss = memory_kb(self.pid)
            self.pss, self.rss = max(self.pss, pss), max(self.rss, rss)

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def three_open_notebooks(venv: Path, scratch: Path) -> dict:
    """Start the environment's JupyterLab, run three tutorials in kernels of that server
    (nbclient on the server's own kernels), keep them open. kB: peak and at-rest PSS/RSS
    of the whole tree, the server alone, each kernel with what it started; notes."""
    import nbformat
    from jupyter_client.blocking import BlockingKernelClient
    from nbclient import NotebookClient

    from ckptlab.commands.lab import free_port

    work = scratch / "work"
    shutil.copytree(REPO / "tutorials", work / "tutorials")
    shutil.copytree(REPO / "exercises", work / "exercises")
    port, token = free_port(8990), "ckptlab-bench"
    one_cpu, held = _one_cpu()  # Binder gives one CPU: the server and all it starts
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(scratch / "runtime"),
           "JUPYTER_CONFIG_DIR": str(scratch / "config"),
           "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    server = subprocess.Popen(
        [str(venv / "bin" / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1",
         f"--port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}",
         "--allow-root"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True, preexec_fn=one_cpu.enter)
    base, notes = f"http://127.0.0.1:{port}", []
    peak = None
    try:
        for _ in range(120):
            try:
                _api(base, token, "/api/status")
                break
            except OSError:
                time.sleep(0.5)
        peak = Peak(server.pid)
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
        peak.stop()
        pss, rss = memory_kb(server.pid)
        by_kernel = [memory_kb(pid)[0] for pid in _kernel_pids(server.pid)]
        own = memory_kb(server.pid)[0] - sum(by_kernel)
        return {"peak_pss": peak.pss, "peak_rss": peak.rss, "pss": pss, "rss": rss,
                "server_pss": own, "kernel_pss": by_kernel, "notes": [held, *notes]}
    finally:
        if peak is not None:
            peak.stop()
        os.killpg(server.pid, 15)
        server.wait(timeout=60)
        one_cpu.remove()


class _OneCpu:
    """One CPU for a process and all it starts, as Binder's container has: a CPU quota of
    one CPU in a fresh cgroup v1 cpu controller (root), which leaves the affinity at every
    core, as Kubernetes' CPU limit does; where none can be made, an affinity of one CPU."""

    def __init__(self) -> None:
        self.group: Path | None = Path("/sys/fs/cgroup/cpu") / f"ckptlab-binder-{os.getpid()}"
        try:
            self.group.mkdir()
            (self.group / "cpu.cfs_period_us").write_text("100000")
            (self.group / "cpu.cfs_quota_us").write_text("100000")
        except OSError:
            self.remove()
            self.group = None
        self.cpu = min(os.sched_getaffinity(0))

    def enter(self) -> None:  # in the child, before exec
        if self.group is not None:
            (self.group / "cgroup.procs").write_text(str(os.getpid()))
        else:
            os.sched_setaffinity(0, {self.cpu})

    def remove(self) -> None:
        for _ in range(100):  # (the killed tree leaves the group within moments)
            if self.group is None or not self.group.exists():
                return
            try:
                self.group.rmdir()
            except OSError:
                time.sleep(0.1)


def _one_cpu() -> tuple[_OneCpu, str]:
    held = _OneCpu()
    how = ("a CPU quota of one CPU (cgroup v1), affinity left at every core" if held.group
           else "an affinity of one CPU (no cgroup could be made)")
    return held, f"one CPU by {how}"


def _kernel_pids(server: int) -> list[int]:
    """The server's direct children: its kernels (each with its warm runners below)."""
    try:
        return [int(pid) for pid in
                Path(f"/proc/{server}/task/{server}/children").read_text().split()]
    except OSError:
        return []


def run(quick: bool = False) -> list[Result]:
    venv = build_env()
    ENV.parent.mkdir(parents=True, exist_ok=True)  # not /tmp: the checks' sandbox hides it
    with tempfile.TemporaryDirectory(dir=ENV.parent, prefix="binder-bench-") as scratch:
        bare = Path(scratch) / "bare"
        subprocess.run([_runtime_python(), "-m", "venv", str(bare)], check=True)
        image = _du_mb(venv, REPO / "tutorials", REPO / "exercises", REPO / "ckptlab")
        results = [Result("Binder image (emulated: venv from binder/ + notebooks + package)",
                          "size", "MB", Timing.of([image]), "bare Python venv",
                          Timing.of([_du_mb(bare)]))]
        memory = three_open_notebooks(venv, Path(scratch))
    mb = {key: value / 1024 for key, value in memory.items() if isinstance(value, int)}
    kernels = ", ".join(f"{kb / 1024:.0f}" for kb in memory["kernel_pss"])
    results.append(Result(
        "Binder: JupyterLab + 3 open notebooks (each ran a tutorial that checks), peak",
        "memory (PSS)", "MB", Timing.of([mb["peak_pss"]]), target=f"< {LIMIT_MB} MB",
        met=mb["peak_pss"] < LIMIT_MB,
        notes=f"peak RSS sum {mb['peak_rss']:.0f} MB; at rest PSS {mb['pss']:.0f} MB "
              f"(server {mb['server_pss']:.0f} MB, kernels with their warm runners "
              f"{kernels} MB), RSS sum {mb['rss']:.0f} MB; " + "; ".join(memory["notes"])))
    return results


if __name__ == "__main__":  # python -m bench.bench_binder: print the figures
    for result in run():
        print(result.benchmark, result.measure, f"{result.value.median:.0f} {result.unit}",
              result.notes)
    sys.exit(0)
