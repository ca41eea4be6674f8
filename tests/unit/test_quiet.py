"""ckptlab.quiet: TensorFlow's chatter is recognised and dropped, anything else is kept."""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest

from ckptlab.quiet import is_noise, quiet_environment, quiet_loggers

# captured from TF 2.21 on a CPU machine (python -c "import tensorflow"), then after import
NOISE = [
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "I0000 00:00:1796124890.189180    8247 port.cc:153] oneDNN custom operations are on. "
    "You may see slightly different numerical results due to floating-point round-off",
    "I0000 00:00:1796124890.189514    8247 cudart_stub.cc:31] Could not find cuda drivers "
    "on your machine, GPU will not be used.",
    "W0000 00:00:1796124890.241320    8247 cpu_feature_guard.cc:227] This TensorFlow binary",
    "E0000 00:00:1796124950.816563    9582 cuda_platform.cc:52] failed call to cuInit: "
    "INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)",
    "To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild "
    "TensorFlow with the appropriate compiler flags.",
]
KEPT = [
    "E0000 00:00:1796124950.816563    9582 op_kernel.cc:1830] OP_REQUIRES failed: Not found",
    "F0000 00:00:1796124950.816563    9582 logging.cc:12] Check failed: rank >= 0",
    "Traceback (most recent call last):",
    "ImportError: libcudart.so.12: cannot open shared object file",
    "I0000 is how my model logs its progress",  # the learner's own text
    "my own warning: loss is nan",
]


@pytest.mark.parametrize("line", NOISE)
def test_tensorflow_chatter_is_noise(line):
    assert is_noise(line)


@pytest.mark.parametrize("line", KEPT)
def test_real_errors_and_the_learners_output_are_kept(line):
    assert not is_noise(line)


def test_the_capture_around_the_import_writes_back_what_is_not_noise():
    """The fd-2 capture used around `import tensorflow`, with C-level writes (os.write)."""
    code = (
        "import os\n"
        "from ckptlab.quiet import _stderr_filtered\n"
        "with _stderr_filtered():\n"
        f"    os.write(2, {(chr(10).join(NOISE[:3]) + chr(10)).encode()!r})\n"
        "    os.write(2, b'ImportError: a real problem\\n')\n"
        "os.write(2, b'after\\n')\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert run.stderr == "ImportError: a real problem\nafter\n"


def test_an_exception_inside_the_capture_keeps_its_output():
    code = (
        "import os\n"
        "from ckptlab.quiet import _stderr_filtered\n"
        "with _stderr_filtered():\n"
        "    os.write(2, b'the library said why\\n')\n"
        "    raise ImportError('no module named tensorflow')\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.startswith("the library said why\nTraceback")
    assert "ImportError: no module named tensorflow" in run.stderr


def test_the_environment_keeps_what_the_caller_chose():
    assert quiet_environment({})["TF_CPP_MIN_LOG_LEVEL"] == "2"
    assert quiet_environment({"TF_CPP_MIN_LOG_LEVEL": "0"})["TF_CPP_MIN_LOG_LEVEL"] == "0"


def test_only_library_deprecations_are_ignored():
    with warnings.catch_warnings(record=True) as caught:
        warnings.resetwarnings()
        quiet_loggers()
        warnings.warn("`tf.layers.dense` is deprecated and will be removed", UserWarning,
                      stacklevel=1)
        warnings.warn("my own data has NaNs", UserWarning, stacklevel=1)
        warnings.warn("my own API is deprecated", DeprecationWarning, stacklevel=1)
    assert [str(w.message) for w in caught] == ["my own data has NaNs",
                                                "my own API is deprecated"]
