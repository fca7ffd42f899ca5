"""Dead code elimination: drop pure nodes nothing reads.

Parameters stay (they are the kernel's arguments) and so do carries (a loop
pairs them with its next values by position)."""

from __future__ import annotations

from ..ir.graph import IRGraph
from ..ir.ops import ARGUMENT, CARRY, op_def


def _removable(node) -> bool:
    definition = op_def(node.op)
    return definition.pure and definition.storage not in (ARGUMENT, CARRY)


def dce(ir: IRGraph) -> int:
    removed = 0
    while True:
        users = ir.users()
        dead = {n.id for n in ir.nodes if not users[n.id] and _removable(n)}
        if not dead:
            return removed
        ir.remove(dead)
        removed += len(dead)
