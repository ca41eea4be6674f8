"""Importing this module installs the legacy tf.estimator shim (see legacy.py)."""

from ckptlab.estimator.legacy import install_estimator_shim

install_estimator_shim()
