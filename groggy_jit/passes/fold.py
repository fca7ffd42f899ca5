"""Constant folding: scalar elementwise ops on constants become constants."""

from __future__ import annotations

from dataclasses import replace

from ..ir.graph import IRGraph, freeze_attrs
from ..ir.ops import CONST, op_def
from ..ir.types import DType, Kind


def constant_fold(ir: IRGraph) -> int:
    changed = 0
    for node in list(ir.nodes):
        definition = op_def(node.op)
        if not definition.elementwise or node.type.kind is not Kind.SCALAR:
            continue
        inputs = [ir.node_map[i] for i in node.inputs]
        if not inputs or any(i.op != CONST for i in inputs):
            continue
        value = definition.evaluate(None, node, [i.attr("value") for i in inputs],
                                    [i.type for i in inputs])
        python = {DType.F64: float, DType.I64: int, DType.BOOL: bool}[node.type.dtype](value)
        attrs = {"value": python, "dtype": node.type.dtype.value}
        ir.replace_node(replace(node, op=CONST, inputs=(), attrs=freeze_attrs(attrs),
                                region=None))
        changed += 1
    return changed

