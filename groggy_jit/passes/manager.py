"""The pass pipeline: one list, run to a fixed point, each change recorded by name.

``GROGGY_JIT_CHECK=1`` verifies the IR after every pass; ``GROGGY_JIT_DISABLE``
(comma-separated pass names) turns passes off to bisect a miscompile.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable

from ..ir.graph import IRGraph
from ..ir.verify import verify
from .cse import cse
from .dce import dce
from .fold import constant_fold
from .licm import licm

PIPELINE: list[tuple[str, Callable[[IRGraph], int]]] = [
    ("constant_fold", constant_fold),
    ("cse", cse),
    ("dce", dce),
    ("licm", licm),
]


@dataclass
class PassReport:
    """What each pass changed, in the order the passes ran."""
    changes: list[tuple[str, int]] = field(default_factory=list)
    snapshots: list[tuple[str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(f"{name}: {count} change(s)" for name, count in self.changes if count)


def _disabled() -> set[str]:
    return {x.strip() for x in os.environ.get("GROGGY_JIT_DISABLE", "").split(",") if x.strip()}


def optimize(ir: IRGraph, level: int = 1, keep_snapshots: bool = False,
             max_rounds: int = 10) -> tuple[IRGraph, PassReport]:
    """Run the pipeline on a copy of ``ir``; level 0 runs no passes."""
    ir = ir.copy()
    report = PassReport()
    if level <= 0:
        return ir, report
    check = os.environ.get("GROGGY_JIT_CHECK") == "1"
    disabled = _disabled()
    for _ in range(max_rounds):
        round_changes = 0
        for name, run in PIPELINE:
            if name in disabled:
                continue
            count = run(ir)
            report.changes.append((name, count))
            round_changes += count
            if keep_snapshots and count:
                report.snapshots.append((name, ir.pretty()))
            if check:
                verify(ir)
        if not round_changes:
            break
    return ir, report
