"""Common subexpression elimination, commutativity-aware.

Two pure nodes merge when they have the same op, attributes, region and inputs;
inputs are compared as a sorted tuple only when the op is commutative, so
``a - b`` never merges with ``b - a``.  Nodes that name storage (parameters,
carries) are never merged: each is its own slot or argument.
"""

from __future__ import annotations

from ..ir.graph import IRGraph
from ..ir.ops import ARGUMENT, CARRY, op_def


def cse(ir: IRGraph) -> int:
    seen: dict[tuple, str] = {}
    merged = 0
    for node in list(ir.flat_schedule()):
        definition = op_def(node.op)
        if not definition.pure or definition.storage in (ARGUMENT, CARRY):
            continue
        node = ir.node_map[node.id]
        inputs = tuple(sorted(node.inputs)) if definition.commutative else node.inputs
        key = (node.op, inputs, repr(node.attrs), node.region, node.type)
        if key in seen:
            ir.replace_uses(node.id, seen[key])
            ir.remove({node.id})
            merged += 1
        else:
            seen[key] = node.id
    return merged
