"""Every ``>>>`` example in the docs is collected as a doctest: no wrapper can hide one.

A plain scan of the source counts the examples in each public docstring and in the
README; a collect-only pytest run says how many the suite really runs. The doctests
themselves run as part of the suite (``--doctest-modules`` in pyproject.toml).
"""

import ast
import inspect
from pathlib import Path

import pytest

from groggy_jit.algorithms import REGISTRY

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "groggy_jit"
README = ROOT / "README.md"


def _count(text: str) -> int:
    return sum(line.lstrip().startswith(">>>") for line in text.splitlines())


def _scan(node, name: str, found: dict[str, int]) -> None:
    """Examples per docstring of a module or class and its public members, by doctest name."""
    found[name] = found.get(name, 0) + _count(ast.get_docstring(node) or "")
    for child in node.body:
        if isinstance(child, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) \
                and not child.name.startswith("_"):
            member = f"{name}.{child.name}"
            if isinstance(child, ast.ClassDef):
                _scan(child, member, found)
            else:                                 # doctest does not look inside functions
                found[member] = found.get(member, 0) + _count(ast.get_docstring(child) or "")


def scanned_examples() -> dict[str, int]:
    """``>>>`` lines the source holds: public docstrings of the package, and the README."""
    found: dict[str, int] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        _scan(ast.parse(path.read_text(encoding="utf-8")), module, found)
    found[README.name] = _count(README.read_text(encoding="utf-8"))
    return {name: count for name, count in found.items() if count}


class _DoctestRecorder:
    """A pytest plugin that keeps the examples of every doctest item collected."""

    def __init__(self):
        self.examples: dict[str, int] = {}

    def pytest_collection_finish(self, session):
        for item in session.items:
            test = getattr(item, "dtest", None)
            if test is not None:
                self.examples[test.name] = self.examples.get(test.name, 0) + len(test.examples)


@pytest.fixture(scope="module")
def collected_examples() -> dict[str, int]:
    """Examples per doctest name, as the suite's own collection finds them."""
    recorder = _DoctestRecorder()
    # No --doctest-modules here: the suite's own options (pyproject.toml) must ask for doctests.
    # --noconftest: loading the conftest again would give the rest of this run a new cache dir.
    # -n 0: the items must be collected in this process, not in xdist workers.
    code = pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", "-n", "0", "--noconftest",
                        str(PACKAGE), str(README)], plugins=[recorder])
    assert code == pytest.ExitCode.OK, f"collecting the doctests failed ({code!r})"
    return recorder.examples


def test_the_suite_collects_every_example_the_source_holds(collected_examples):
    scanned = scanned_examples()
    missing = {name: f"{collected_examples.get(name, 0)} of {count} collected"
               for name, count in scanned.items() if collected_examples.get(name, 0) < count}
    assert not missing, (f"the source holds {sum(scanned.values())} examples, but no doctest "
                         f"runs these: {missing}; an object doctest cannot see (a wrapper "
                         "without the function's __module__ and __wrapped__, or a file pytest "
                         "skips) hides them")


def test_every_catalogue_algorithm_has_a_collected_example(collected_examples):
    for name, algo in REGISTRY.items():
        assert ">>>" in (inspect.getdoc(algo) or ""), f"catalogue algorithm {name!r} has no example"
        fn = inspect.unwrap(algo)
        assert collected_examples.get(f"{fn.__module__}.{fn.__qualname__}", 0) > 0, \
            f"the examples of catalogue algorithm {name!r} are not collected"
