"""Constant folding: scalar elementwise ops on constants become constants."""

from __future__ import annotations

from ..ir.graph import IRGraph, Node, _freeze_attrs
from ..ir.ops import op_def
from ..ir.types import DType, Kind
from ..ir.semantics import apply_elementwise


def constant_fold(ir: IRGraph) -> int:
    changed = 0
    for node in list(ir.nodes):
        definition = op_def(node.op)
        if definition.category != "elementwise" or node.type.kind is not Kind.SCALAR:
            continue
        inputs = [ir.node_map[i] for i in node.inputs]
        if not inputs or any(i.op != "const" for i in inputs):
            continue
        value = apply_elementwise(node, [i.attr("value") for i in inputs], [i.type for i in inputs])
        python = {DType.F64: float, DType.I64: int, DType.BOOL: bool}[node.type.dtype](value)
        attrs = {"value": python, "dtype": node.type.dtype.value}
        ir.replace_node(Node(node.id, "const", (), _freeze_attrs(attrs), node.type, None,
                             node.hint))
        changed += 1
    return changed

