"""Start an IPython kernel that watches its own resident memory (run as a script).

Why not RLIMIT_AS: TensorFlow reserves far more *virtual* address space than it uses
(about 2.6 GB of VmPeak for a tiny Keras model whose resident peak is under 0.6 GB;
each thread reserves a stack), so a 2 GB address-space limit kills it at start-up
("Thread ... creation via pthread_create() failed"). JupyterHub and Binder limit
resident memory (cgroups), so this launcher does the same by polling: a thread reads
VmRSS and VmHWM from /proc/self/status every POLL_SECONDS, writes the peak (VmHWM) to
the file named by CKPTLAB_MEMORY_REPORT, and ends the kernel with exit code 137 (like
the out-of-memory killer) once VmRSS exceeds CKPTLAB_MEMORY_LIMIT_BYTES. A "{kernel}" in
CKPTLAB_MEMORY_REPORT is replaced by kernel_id(), so the kernels of one server report apart.

Usage in a kernel spec: [python, this_file, "-f", "{connection_file}"].
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time

POLL_SECONDS = 0.05


def status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def watch(limit_bytes: int, report_path: str) -> None:
    while True:
        rss, peak = status_kib("VmRSS") * 1024, status_kib("VmHWM") * 1024
        exceeded = rss > limit_bytes
        with open(report_path + ".tmp", "w") as report:
            json.dump({"peak_rss_bytes": peak, "limit_bytes": limit_bytes,
                       "killed": exceeded}, report)
        os.replace(report_path + ".tmp", report_path)
        if exceeded:
            print(f"memory_kernel: resident memory {rss} > limit {limit_bytes}; exiting",
                  file=sys.stderr, flush=True)
            os._exit(137)
        time.sleep(POLL_SECONDS)


def kernel_id(connection_file: str) -> str:
    """The kernel's id as its connection file names it: a Jupyter server writes
    kernel-<id>.json (its REST API's id); nbclient (jupyter_client without a server) a
    temporary file, tmp<random>.json, whose stem is then the id."""
    stem = os.path.splitext(os.path.basename(connection_file))[0]
    return stem.removeprefix("kernel-")


def main() -> None:
    limit = int(os.environ["CKPTLAB_MEMORY_LIMIT_BYTES"])
    connection = sys.argv[sys.argv.index("-f") + 1] if "-f" in sys.argv else "kernel"
    report = os.environ["CKPTLAB_MEMORY_REPORT"].replace("{kernel}", kernel_id(connection))
    threading.Thread(target=watch, args=(limit, report), daemon=True).start()
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
