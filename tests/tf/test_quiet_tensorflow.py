"""`ckptlab.import_tensorflow()` in a fresh interpreter: nothing on stderr but the learner's.

TF 2.21 writes its early absl lines whatever TF_CPP_MIN_LOG_LEVEL says (measured with a bare
`python -c "import tensorflow"`), so this runs the real import, the first device scan, an
eager op, a TF1 session, a tf.compat.v1.layers call and a Keras HDF5 save.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from tests.helpers.notebooks import REPO

SCRIPT = textwrap.dedent("""
    import logging, os, sys, tempfile, warnings
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import ckptlab
    tf = ckptlab.import_tensorflow()
    print(tf.constant(1.0).numpy() + 1)
    with tf.Graph().as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 3])
        y = tf.compat.v1.layers.dense(x, 2)
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
    import keras
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.save(os.path.join(tempfile.mkdtemp(), "m.h5"))
    records = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    tf.get_logger().addHandler(handler)
    tf.compat.v1.logging.warning("a TensorFlow warning")
    print("recorded:", [r.getMessage() for r in records])
    warnings.warn("the learner's own warning", stacklevel=1)
    tf.compat.v1.logging.error("a TensorFlow error")
    raise ValueError("the learner's own error")
""")


def run_script():
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    return subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=300)


def test_only_the_learners_output_and_real_errors_reach_stderr():
    run = run_script()
    assert run.stdout.splitlines() == ["2.0", "recorded: ['a TensorFlow warning']"]
    # nothing else: no absl, oneDNN, cuInit, tf.layers deprecation, Keras HDF5 notice
    assert run.stderr.splitlines() == [
        "<string>:21: UserWarning: the learner's own warning",
        "ERROR:tensorflow:a TensorFlow error",
        "Traceback (most recent call last):",
        '  File "<string>", line 23, in <module>',
        "ValueError: the learner's own error"], run.stderr
