"""Lazy module attributes: resolved once on first use, unknown names still fail."""

from __future__ import annotations

import json

import pytest

from ckptlab._lazy import lazy_getattr


def test_resolves_caches_and_rejects_unknown_names():
    namespace: dict = {}
    getattr_ = lazy_getattr("pkg", namespace, {"dumps": "json:dumps"})
    assert getattr_("dumps") is json.dumps
    assert namespace == {"dumps": json.dumps}
    with pytest.raises(AttributeError, match="module 'pkg' has no attribute 'loads'"):
        getattr_("loads")
