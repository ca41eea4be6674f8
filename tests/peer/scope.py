"""Which upstream tests are in scope for the engine, and the comparison of two runs.

Out of scope, decided from each test's own source (its method and its class's setUp),
never from how the engine does on it:
- distribution: TF_CONFIG, cluster specs, task types, servers, distribution strategies;
- canned estimators (DNN*, Linear*, heads, prediction keys);
- private internals: names of tf.estimator's modules that its public API does not have
  (`estimator._load_global_step...`, `training._TrainingExecutor`,
  `export.SupervisedInputReceiver`), private members (`est._session_config`);
- the tests listed in HARNESS_INCOMPATIBLE (a TensorFlow 2.21 test helper breaks).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

__all__ = ["Comparison", "compare", "out_of_scope", "render_comparison"]

DISTRIBUTION = re.compile(
    r"TF_CONFIG|cluster_spec|ClusterSpec|TaskType|server_lib|[Ss]trategy|distribute|"
    r"num_ps_replicas|num_worker_replicas|task_id|_TF_CONFIG")
CANNED = re.compile(r"\bDNN|\bdnn\b|canned|prediction_keys|Linear[A-Z]")
# private members of tf.estimator objects, or patched by name: `est._session_config`,
# `mock.patch.object(training, '_TrainingExecutor')`
PRIVATE_MEMBER = re.compile(r"\best\w*\._[a-z]\w*|patch\.object\(\s*\w+,\s*'_\w+'")
# tests that pass on the engine up to an assertion helper of TensorFlow 2.21 that fails
# under this environment's protobuf (tf.test's assertProtoEquals reads the removed
# FieldDescriptor.label): what they check is compared by a parity scenario instead
HARNESS_INCOMPATIBLE = {
    "estimator_test.py::EstimatorEvaluateTest::test_summary_writing_with_summary_proto":
        "parity scenario evaluate_writes_summary_metrics_as_key_slash_n",
}
_PREFIX = "tensorflow_estimator.python.estimator"


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> tf.estimator module ('export.export_lib') from the file's imports."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(_PREFIX):
            base = node.module.removeprefix(_PREFIX).lstrip(".")
            for name in node.names:
                found[name.asname or name.name] = f"{base}.{name.name}".lstrip(".")
    return found


def _private_uses(source: str, aliases: dict[str, str], helpers: bool = False) -> list[str]:
    """`alias.Name` uses where Name is not public in that tf.estimator module (with
    `helpers`, the private helpers the adapter maps do not count)."""
    from tests.peer.adapter import ENGINE_CONSTANTS, PRIVATE_HELPERS, PUBLIC_NAMES

    uses = []
    for alias, attribute in re.findall(r"\b(\w+)\.(\w+)", source):
        module = aliases.get(alias)
        if module is None or (module not in PUBLIC_NAMES and module not in ENGINE_CONSTANTS):
            continue
        if attribute not in PUBLIC_NAMES.get(module, {}) and attribute not in ENGINE_CONSTANTS.get(
                module, {}) and not (helpers and attribute in PRIVATE_HELPERS.get(module, {})):
            uses.append(f"{alias}.{attribute}")
    return uses


@cache
def _sources(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """('Class::test' -> the text a test runs: its method, its class's (and in-file base
    classes') other members, module functions they call, one level deep; aliases)."""
    text = path.read_text()
    tree = ast.parse(text)
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    functions = {n.name: ast.get_source_segment(text, n) or "" for n in tree.body
                 if isinstance(n, ast.FunctionDef)}

    def lineage(node: ast.ClassDef) -> list[ast.ClassDef]:
        bases = [classes[b.id] for b in node.bases if isinstance(b, ast.Name) and b.id in classes]
        return [node, *(c for base in bases for c in lineage(base))]

    def with_helpers(source: str) -> str:
        called = set(re.findall(r"\b(\w+)\(", source))
        return source + "".join(functions[name] for name in sorted(called & set(functions)))

    found = {}
    for node in classes.values():
        members = [item for cls in lineage(node) for item in cls.body]
        shared = "".join(ast.get_source_segment(text, item) or "" for item in members
                         if not (isinstance(item, ast.FunctionDef)
                                 and item.name.startswith("test")))
        for item in members:
            if isinstance(item, ast.FunctionDef) and item.name.startswith("test"):
                found.setdefault(f"{node.name}::{item.name}", with_helpers(
                    (ast.get_source_segment(text, item) or "") + shared))
    return found, _aliases(tree)


def out_of_scope(upstream: Path, test_id: str, helpers: bool = False) -> str | None:
    """The reason a test is out of scope, or None. test_id: 'file.py::Class::test'.

    helpers: the run mapped PRIVATE_HELPERS (tests/peer/adapter.py), so tests that need
    only those are in scope."""
    file, _, rest = test_id.partition("::")
    matches = sorted(upstream.rglob(file))
    if not matches:
        return None
    sources, aliases = _sources(matches[0])
    source = sources.get(rest) or next(
        (text for name, text in sorted(sources.items(), key=lambda item: -len(item[0]))
         if rest.startswith(name)), "")
    if DISTRIBUTION.search(source):
        return "distribution (TF_CONFIG, clusters, task types, strategies)"
    if CANNED.search(source) or any(m.startswith("canned") for m in (
            aliases.get(alias, "") for alias in re.findall(r"\b(\w+)\.", source))):
        return "canned estimators"
    if test_id in HARNESS_INCOMPATIBLE:
        return "TensorFlow 2.21's assertProtoEquals fails with this protobuf"
    private = _private_uses(source, aliases, helpers)
    if private or PRIVATE_MEMBER.search(source):
        return "private internals of tf.estimator"
    return None


@dataclass
class Comparison:
    real_passed: int = 0
    in_scope: list[str] = field(default_factory=list)
    engine_passed: list[str] = field(default_factory=list)
    engine_failed: dict[str, str] = field(default_factory=dict)
    excluded: dict[str, str] = field(default_factory=dict)


def compare(upstream: Path, real: dict, engine: dict, helpers: bool = False) -> Comparison:
    """In-scope tests are those passing on the real tf.estimator and not excluded."""
    result = Comparison()
    for test_id, outcome in sorted(real.items()):
        if outcome["outcome"] != "passed":
            continue
        result.real_passed += 1
        reason = out_of_scope(upstream, test_id, helpers)
        if reason:
            result.excluded[test_id] = reason
            continue
        result.in_scope.append(test_id)
        mine = engine.get(test_id, {"outcome": "missing", "message": "not run"})
        if mine["outcome"] == "passed":
            result.engine_passed.append(test_id)
        else:
            result.engine_failed[test_id] = mine["message"] or mine["outcome"]
    return result


def render_comparison(result: Comparison, verbose: bool = True) -> str:
    share = len(result.engine_passed) / max(1, len(result.in_scope))
    reasons: dict[str, int] = {}
    for reason in result.excluded.values():
        reasons[reason] = reasons.get(reason, 0) + 1
    lines = [f"passed on the real tf.estimator 2.15: {result.real_passed}",
             *(f"  out of scope, {reason}: {count}" for reason, count in sorted(reasons.items())),
             f"in scope: {len(result.in_scope)}",
             f"pass on the engine: {len(result.engine_passed)} of {len(result.in_scope)} "
             f"({share:.0%})"]
    if verbose and result.engine_failed:
        lines += ["", "in scope, failing on the engine:"]
        lines += [f"  {test_id}: {message}" for test_id, message in result.engine_failed.items()]
    return "\n".join(lines)
