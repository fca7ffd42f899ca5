"""The IR verifier: types, definition before use, regions and loop carries.

Runs after tracing, and after every pass when ``GROGGY_JIT_CHECK=1``.
"""

from __future__ import annotations

from ..errors import IRError, KindError
from .graph import IRGraph
from .ops import op_def
from .types import DType, Kind


def verify(ir: IRGraph) -> None:
    ir.schedule()                                   # raises CycleError on a cycle
    for node in ir.nodes:
        _check_references(ir, node)
        if node.op in ("carry", "loop_result", "loop"):
            continue
        inferred = ir.infer_type(node.op, node.inputs, node.attr_dict)
        if inferred != node.type:
            raise KindError(f"{node.id} ({node.op}) is typed {node.type} but its inputs give "
                            f"{inferred}")
    for node in ir.nodes:
        if node.op == "loop":
            _check_loop(ir, node)
    for name, nid in ir.outputs:
        if nid not in ir.node_map:
            raise IRError(f"output {name!r} refers to unknown node {nid}")


def _check_references(ir: IRGraph, node) -> None:
    visible = ir.region_chain(node.id)
    for dep in ir.get_dependencies(node.id):
        if dep not in ir.node_map:
            raise IRError(f"{node.id} ({node.op}) reads unknown node {dep}")
        if node.op == "loop":
            continue                                 # its nexts live in its own body
        if ir.node_map[dep].region not in visible:
            raise IRError(
                f"{node.id} ({node.op}) reads {dep} ({ir.node_map[dep].op}), a value computed "
                "inside a loop it is not part of; to use a value after its loop, carry it "
                "with var() (assign it before the loop and reassign it inside)")


def _check_loop(ir: IRGraph, loop) -> None:
    op_def("loop").infer((ir.node_map[loop.inputs[0]].type,), loop.attr_dict)
    for carry, nxt in ir.carries(loop.id):
        if carry.type != nxt.type:
            raise KindError(f"loop {loop.id} carries {carry.hint or carry.id} as {carry.type} "
                            f"but the next value is {nxt.type}")
    stop = loop.attr("stop")
    if stop is not None:
        t = ir.node_map[stop].type
        if t.kind is not Kind.SCALAR or t.dtype is not DType.BOOL:
            raise KindError(f"loop {loop.id} stop condition must be a bool scalar, got {t}")
