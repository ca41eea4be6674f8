"""The peer suite's scope rules decide from a test's own source (no TensorFlow here)."""

from __future__ import annotations

from tests.peer.scope import compare, out_of_scope, render_comparison

UPSTREAM_TEST = '''
from tensorflow_estimator.python.estimator import estimator
from tensorflow_estimator.python.estimator import training
from tensorflow_estimator.python.estimator.export import export as export_lib


def _write(path):
    estimator._write_dict_to_summary(path, {}, 1)


class _Shared(object):
    def test_inherited(self):
        training._TrainingExecutor(None, None, None)


class ScopeTest(_Shared, object):
    def setUp(self):
        self.config = None

    def test_public(self):
        estimator.Estimator(model_fn=None)
        export_lib.ServingInputReceiver({}, {})

    def test_cluster(self):
        os.environ["TF_CONFIG"] = "{}"

    def test_helper_uses_a_private_function(self):
        _write("dir")

    def test_non_public_name(self):
        export_lib.SupervisedInputReceiver({}, {}, {})

    def test_private_member(self):
        est = estimator.Estimator(None)
        est._session_config

    def test_canned(self):
        estimator.DNNClassifier()
'''


def test_scope_reasons_come_from_each_tests_source(tmp_path):
    (tmp_path / "sample_test.py").write_text(UPSTREAM_TEST)
    reason = {name: out_of_scope(tmp_path, f"sample_test.py::ScopeTest::{name}") for name in (
        "test_public", "test_cluster", "test_helper_uses_a_private_function",
        "test_non_public_name", "test_private_member", "test_canned", "test_inherited")}
    assert reason == {
        "test_public": None,
        "test_cluster": "distribution (TF_CONFIG, clusters, task types, strategies)",
        "test_helper_uses_a_private_function": "private internals of tf.estimator",
        "test_non_public_name": "private internals of tf.estimator",
        "test_private_member": "private internals of tf.estimator",
        "test_canned": "canned estimators",
        "test_inherited": "private internals of tf.estimator",
    }


def test_only_tests_passing_on_the_real_side_count(tmp_path):
    (tmp_path / "sample_test.py").write_text(UPSTREAM_TEST)
    real = {"sample_test.py::ScopeTest::test_public": {"outcome": "passed", "message": ""},
            "sample_test.py::ScopeTest::test_cluster": {"outcome": "passed", "message": ""},
            "sample_test.py::ScopeTest::test_canned": {"outcome": "failed", "message": "x"}}
    engine = {"sample_test.py::ScopeTest::test_public": {"outcome": "failed",
                                                          "message": "AssertionError: no"}}
    result = compare(tmp_path, real, engine)
    assert (result.real_passed, result.in_scope, result.engine_passed) == (
        2, ["sample_test.py::ScopeTest::test_public"], [])
    text = render_comparison(result)
    assert "pass on the engine: 0 of 1 (0%)" in text
    assert "sample_test.py::ScopeTest::test_public: AssertionError: no" in text
