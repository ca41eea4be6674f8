"""pytest plugin (`-p tests.peer.plugin`) loaded before tf.estimator's test files import.

Engine side: install the adapter (shim + stand-in modules). Both sides: with
CKPTLAB_PEER_V1=1, switch TensorFlow to TF1 behaviour first. Set by tests/peer/run.py.
"""

from __future__ import annotations

import os

if os.environ.get("CKPTLAB_PEER_SIDE") == "engine":
    from tests.peer.adapter import install

    install(os.environ["CKPTLAB_PEER_UPSTREAM"])
if os.environ.get("CKPTLAB_PEER_V1") == "1":
    import tensorflow as tf

    tf.compat.v1.disable_v2_behavior()
