"""Dead code elimination: drop pure nodes nothing reads."""

from __future__ import annotations

from ..ir.graph import IRGraph
from ..ir.ops import op_def

_KEEP = ("carry", "loop", "param", "node_param")


def dce(ir: IRGraph) -> int:
    removed = 0
    while True:
        users = ir.users()
        dead = {n.id for n in ir.nodes
                if not users[n.id] and op_def(n.op).pure and n.op not in _KEEP}
        if not dead:
            return removed
        ir.remove(dead)
        removed += len(dead)
