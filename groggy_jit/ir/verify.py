"""The IR verifier: structure, types, definition before use, regions and loop carries.

Runs after tracing, after every pass when ``GROGGY_JIT_CHECK=1``, and on every
plan loaded from JSON or bytes (which may have been written by anyone).
"""

from __future__ import annotations

from ..errors import IRError, KindError
from .graph import IRGraph
from .ops import ARGUMENT, CARRY, RESULT, op_def
from .types import DType, Kind, Type


def verify(ir: IRGraph) -> None:
    check_structure(ir)
    ir.schedule()                                   # raises CycleError on a cycle
    for node in ir.nodes:
        _check_references(ir, node)
        if op_def(node.op).typed_by_loop:
            continue                                 # checked with its loop's carries
        inferred = ir.infer_type(node.op, node.inputs, node.attr_dict)
        if inferred != node.type:
            raise KindError(f"{node.id} ({node.op}) is typed {node.type} but its inputs give "
                            f"{inferred}")
    for loop in ir.loops():
        _check_loop(ir, loop)
    for name, nid in ir.outputs:
        if nid not in ir.node_map:
            raise IRError(f"output {name!r} refers to unknown node {nid}")


def check_structure(ir: IRGraph) -> None:
    """What ordering and typing assume: ops are known, references resolve, regions are
    loops without cycles, parameters are declared, carries and results fit their loop."""
    nodes = ir.node_map
    for node in ir.nodes:
        where = f"node {node.id} ({node.op})"
        definition = op_def(node.op)
        for ref in ir.references(node):
            if ref not in nodes:
                raise IRError(f"{node.id} ({node.op}) reads unknown node {ref}")
        if node.region is not None and not op_def(nodes[node.region].op).region:
            raise IRError(f"{where} lies in the region {node.region}, which is a "
                          f"{nodes[node.region].op} node, not a loop")
        seen, region = {node.id}, node.region
        while region is not None:
            if region in seen:
                raise IRError(f"{where} lies in a cycle of loop regions through {region}")
            seen.add(region)
            region = nodes[region].region
        if definition.storage == ARGUMENT:
            param = ir.params.get(node.attr("name"))
            if param is None or param.dtype.value != node.attr("dtype") or \
                    param.per_node != (node.type.kind is Kind.NODE) or \
                    param.pairs != (node.type.kind is Kind.PAIR):
                raise IRError(f"{where} does not match a declared parameter of that name and "
                              "dtype")
        if definition.storage == CARRY and not op_def(nodes[node.attr("loop")].op).region:
            raise IRError(f"carry {node.id} refers to {node.attr('loop')}, which is not a loop")
    for loop in ir.loops():
        _check_carries(ir, loop)
    for node in ir.nodes:
        if op_def(node.op).storage == RESULT:
            _check_result(ir, node)


def _check_carries(ir: IRGraph, loop) -> None:
    nodes = ir.node_map
    carries = [n for n in ir.nodes if op_def(n.op).storage == CARRY and n.attr("loop") == loop.id]
    if sorted(c.attr("index") for c in carries) != list(range(len(loop.attr("carries")))):
        raise IRError(f"loop {loop.id} carries {len(loop.attr('carries'))} value(s) but its "
                      f"carry nodes have indices {sorted(c.attr('index') for c in carries)}")
    for carry in carries:
        if carry.region != loop.id:
            raise IRError(f"carry {carry.id} reads loop {loop.id} but lies outside its body")
        if len(carry.inputs) != 1 or carry.type != nodes[carry.inputs[0]].type:
            raise IRError(f"carry {carry.id} is typed {carry.type} but its initial value is "
                          f"not a single input of that type")
    if loop.type != Type(Kind.SCALAR, DType.I64):
        raise IRError(f"loop {loop.id} is typed {loop.type}; loops are scalar[i64]")


def _check_result(ir: IRGraph, node) -> None:
    loop = ir.node_map[node.inputs[0]] if len(node.inputs) == 1 else None
    if loop is None or not op_def(loop.op).region:
        raise IRError(f"loop result {node.id} does not read a loop node")
    index = node.attr("index")
    if index >= len(loop.attr("carries")):
        raise IRError(f"loop result {node.id} reads carry {index} of loop {loop.id}, "
                      f"which carries {len(loop.attr('carries'))} value(s)")
    carry = ir.carry_of(node)
    if carry.type != node.type:
        raise IRError(f"loop result {node.id} is typed {node.type} but its carry is "
                      f"{carry.type}")


def _check_references(ir: IRGraph, node) -> None:
    visible = ir.region_chain(node.id)
    for dep in ir.get_dependencies(node.id):
        if dep not in ir.node_map:
            raise IRError(f"{node.id} ({node.op}) reads unknown node {dep}")
        if op_def(node.op).region:
            continue                                 # its nexts live in its own body
        if ir.node_map[dep].region not in visible:
            raise IRError(
                f"{node.id} ({node.op}) reads {dep} ({ir.node_map[dep].op}), a value computed "
                "inside a loop it is not part of; to use a value after its loop, carry it "
                "with var() (assign it before the loop and reassign it inside)")


def _check_loop(ir: IRGraph, loop) -> None:
    for carry, nxt in ir.carries(loop.id):
        if carry.type != nxt.type:
            raise KindError(f"loop {loop.id} carries {carry.hint or carry.id} as {carry.type} "
                            f"but the next value is {nxt.type}")
    stop = loop.attr("stop")
    if stop is not None:
        t = ir.node_map[stop].type
        if t.kind is not Kind.SCALAR or t.dtype is not DType.BOOL:
            raise KindError(f"loop {loop.id} stop condition must be a bool scalar, got {t}")
    residual = loop.attr("residual")
    if residual is not None:
        t = ir.node_map[residual].type
        if t.kind is not Kind.SCALAR or t.dtype is not DType.F64:
            raise KindError(f"loop {loop.id} residual must be an f64 scalar, got {t}")
