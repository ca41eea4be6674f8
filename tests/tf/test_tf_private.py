"""Every private TensorFlow name ckptlab uses resolves in this TensorFlow (issue 11).

The list lives in ckptlab/tf_private.py; a TensorFlow upgrade that moves one of them
fails here, with its name, instead of somewhere inside a learner's check.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from ckptlab import tf_private

PACKAGE = Path(__file__).resolve().parents[2] / "ckptlab"


@pytest.mark.parametrize("alias", sorted(tf_private.MODULES))
def test_each_private_module_and_attribute_resolves(alias):
    if alias in tf_private.PARITY_ONLY and importlib.util.find_spec("tensorflow_estimator") is None:
        pytest.skip("tf.estimator exists only with TensorFlow <= 2.15 (tests/parity)")
    module = getattr(tf_private, alias)
    missing = [name for name in tf_private.USED[alias] if not hasattr(module, name)]
    assert missing == [], f"{tf_private.MODULES[alias]} lacks {missing}"


@pytest.mark.parametrize(("owner", "method"), tf_private.METHODS)
def test_each_private_method_exists(owner, method):
    module, _, name = owner.partition(":")
    assert callable(getattr(getattr(importlib.import_module(module), name), method))


def test_no_module_outside_tf_private_imports_tensorflow_internals():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [module]
            if any(n and n.startswith(("tensorflow.python", "tensorflow.core",
                                       "tensorflow_estimator", "keras.src")) for n in names):
                found.append(path.relative_to(PACKAGE).as_posix())
            if isinstance(node, ast.Attribute) and node.attr == "__internal__":
                found.append(path.relative_to(PACKAGE).as_posix())  # tf.__internal__.x
    assert found == []


def test_every_listed_module_is_used():
    used = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "ckptlab.tf_private":
                used.update(alias.name for alias in node.names)
    assert used == set(tf_private.MODULES)
