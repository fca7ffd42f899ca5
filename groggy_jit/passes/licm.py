"""Loop-invariant code motion: values that do not change between iterations leave the loop.

A body node is invariant when it is pure and reads only values from outside the
loop or other invariant values.  Scalars are always hoisted; node maps are
hoisted when computing them costs more than reading them back from an array
(neighbour pulls, reductions, divisions, transcendental functions), since a
cheap elementwise op is faster to recompute in a fused loop than to load.
"""

from __future__ import annotations

from dataclasses import replace

from ..ir.graph import IRGraph
from ..ir.ops import ALWAYS, STAYS, op_def
from ..ir.types import Kind


def _worth_hoisting(node) -> bool:
    return node.type.kind is Kind.SCALAR or op_def(node.op).hoist == ALWAYS


def licm(ir: IRGraph) -> int:
    hoisted = 0
    for loop in ir.loops():
        loop = ir.node_map[loop.id]
        inside = {n.id for n in ir.nodes if loop.id in ir.region_chain(n.id)[:-1]}
        invariant: set[str] = set()
        for node in ir.schedule(loop.id):
            if not hasattr(node, "op") or op_def(node.op).hoist == STAYS or not op_def(node.op).pure:
                continue                       # nested loops (schedule items) stay
            if all(i not in inside or i in invariant for i in node.inputs):
                invariant.add(node.id)
        hoist = {nid for nid in invariant if _worth_hoisting(ir.node_map[nid])}
        stack = list(hoist)
        while stack:                           # a hoisted value's inputs must move too
            for i in ir.node_map[stack.pop()].inputs:
                if i in invariant and i not in hoist:
                    hoist.add(i)
                    stack.append(i)
        for nid in sorted(hoist):
            ir.replace_node(replace(ir.node_map[nid], region=loop.region))
        hoisted += len(hoist)
    return hoisted
