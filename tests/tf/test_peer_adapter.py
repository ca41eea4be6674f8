"""Every name the peer-suite adapter maps resolves through the shim's tf.estimator.

The adapter (tests/peer/adapter.py) lets tf.estimator 2.15's own tests import its modules;
each public name it lists must exist on the engine, so `make peer-suite` fails only on
behaviour, never on a missing name.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

from ckptlab.estimator.legacy import install_estimator_shim
from tests.peer.adapter import PUBLIC_NAMES, resolve


def test_every_public_name_resolves_through_the_shim():
    install_estimator_shim()
    missing = []
    for module, names in sorted(PUBLIC_NAMES.items()):
        for name, path in sorted(names.items()):
            try:
                resolve(path)
            except AttributeError:
                missing.append(f"{module}.{name} -> tf.estimator.{path}")
    assert missing == []
    assert sum(len(names) for names in PUBLIC_NAMES.values()) > 80
