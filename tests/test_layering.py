"""The package's imports read in one direction: each stage imports only the stages below it,
and no module imports itself through others (no cycles).  Read from the source, so no
module is executed; imports under ``if TYPE_CHECKING:`` are annotations only and skipped."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "groggy_jit"

# Lowest first.  A module may import its own stage and those listed before it.
STAGES = [
    ("errors", "version"),
    ("ir", "graph"),
    ("passes",),
    ("plan",),
    ("codegen",),
    ("runtime",),
    ("dsl",),
    ("driver", "pipeline"),
    ("algorithms",),
    ("backend", "cli", "dask", "__main__", "__init__"),
]
STAGE_OF = {part: level for level, parts in enumerate(STAGES) for part in parts}


def module_name(path: Path) -> str:
    parts = ("groggy_jit",) + path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def stage(module: str) -> int:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    if top not in STAGE_OF:
        raise AssertionError(f"{module} belongs to no stage: add {top!r} to STAGES")
    return STAGE_OF[top]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree):
    stack = list(ast.iter_child_nodes(tree))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def imports_of(module: str) -> set[str]:
    """The package modules ``module`` imports, at module level or inside functions."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in _import_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(base + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for target in targets:
            if target.split(".")[0] == "kernels":
                raise AssertionError(f"{module} imports {target}: kernels/ are test oracles only")
            if target in MODULES and target != module:
                found.add(target)
    return found


GRAPH = {m: imports_of(m) for m in MODULES}


def test_every_module_has_a_stage():
    for module in MODULES:
        stage(module)


def test_no_import_from_a_higher_stage():
    upward = [f"{m} (stage {stage(m)}) imports {t} (stage {stage(t)})"
              for m, targets in GRAPH.items() for t in sorted(targets) if stage(t) > stage(m)]
    assert not upward, "\n".join(upward)


def test_no_import_cycles():
    state: dict[str, int] = {}           # 1 on the current path, 2 done
    path: list[str] = []

    def visit(m):
        state[m] = 1
        path.append(m)
        for t in sorted(GRAPH[m]):
            if state.get(t) == 1:
                pytest.fail("import cycle: " + " -> ".join(path[path.index(t):] + [t]))
            if t not in state:
                visit(t)
        path.pop()
        state[m] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)


def test_the_checker_sees_relative_imports():
    assert "groggy_jit.ir.ops" in GRAPH["groggy_jit.ir.graph"]           # from .ops import
    assert "groggy_jit.plan.generator" in GRAPH["groggy_jit.driver"]
    assert "groggy_jit.graph" in GRAPH["groggy_jit.plan.estimate"]        # from ..graph import
