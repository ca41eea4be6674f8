"""`ckptlab inspect --json` against a plain `tf.train.list_variables` script.

A synthetic name-based checkpoint (20,000 variables, about 1 GB; quick: 2,000 and about
10 MB) is written once with TensorFlow's SaveV2. Targets: time <= 0.5x the script (the
reader verifies every block's checksum and every entry; issue 14) and
peak memory within 50 MB of it, both measured in this run with bench.harness.run_measured.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.harness import Result, Timing, run_measured

MAKE = """
import os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
import tensorflow as tf
prefix, count, elements = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
value = tf.random.normal([elements])  # one tensor saved under every name: little RAM
names = [f"tower_{i % 10}/block_{i // 10 % 100}/layer_{i}/kernel" for i in range(count)]
tf.raw_ops.SaveV2(prefix=prefix, tensor_names=names, shape_and_slices=[""] * count,
                  tensors=[value] * count)
"""
BASELINE = ("import os, sys; os.environ['TF_CPP_MIN_LOG_LEVEL'] = '2'\n"
            "import tensorflow as tf\n"
            "print(len(tf.train.list_variables(sys.argv[1])))\n")
ENV = {"TF_CPP_MIN_LOG_LEVEL": "2"}


def _measure(command: list[str], repeat: int) -> tuple[Timing, Timing]:
    runs = [run_measured(command, env=ENV) for _ in range(repeat)]
    failed = [r for r in runs if r.returncode != 0]
    if failed:
        raise RuntimeError(f"{command[:3]} failed: {failed[0].stderr[-2000:]}")
    return Timing.of([r.seconds for r in runs]), Timing.of([r.peak_mb for r in runs])


def run(quick: bool = False) -> list[Result]:
    count, elements = (2_000, 1_250) if quick else (20_000, 12_500)  # 4 bytes each
    repeat = 3 if quick else 5
    with tempfile.TemporaryDirectory(prefix="ckptlab-bench-") as directory:
        prefix = str(Path(directory) / "model.ckpt-1")
        subprocess.run([sys.executable, "-c", MAKE, prefix, str(count), str(elements)],
                       check=True, env={**os.environ, **ENV})
        size_mb = sum(p.stat().st_size for p in Path(directory).iterdir()) / 2**20
        base_time, base_mem = _measure([sys.executable, "-c", BASELINE, prefix], repeat)
        ours_time, ours_mem = _measure(
            [sys.executable, "-m", "ckptlab", "inspect", "--json", prefix], repeat)
    label = f"inspect {count:,} variables ({size_mb:,.0f} MB)"
    ratio = ours_time.median / base_time.median
    extra_mb = ours_mem.median - base_mem.median
    return [
        Result(benchmark=label, measure="time", unit="s", value=ours_time,
               baseline_name="tf.train.list_variables script", baseline=base_time,
               target="<= 0.5x list_variables", met=ratio <= 0.5,
               notes=f"ratio {ratio:.2f}"),
        Result(benchmark=label, measure="peak memory", unit="MB", value=ours_mem,
               baseline_name="tf.train.list_variables script", baseline=base_mem,
               target="<= baseline + 50 MB", met=extra_mb <= 50,
               notes=f"{extra_mb:+.0f} MB vs baseline (median of {repeat})",
               extra={"median_difference_mb": statistics.median(
                   [o - b for o, b in zip(ours_mem.samples, base_mem.samples, strict=True)])}),
    ]
