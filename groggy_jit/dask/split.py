"""An algorithm split into round kernels for bulk-synchronous partitioned execution.

Each partition holds a contiguous range of nodes (its *local* nodes) plus *ghosts*:
the other nodes its local nodes' arcs reach.  Every straight run of the optimized IR
(the code before the loop, the loop body, the code after it) is cut into *phases*:

- a phase is one compiled kernel, run once per partition on its halo graph (local
  nodes and ghosts, with every arc of the local nodes); only local results are kept;
- a pull reads its inputs at neighbours, so a value computed in this round must be
  exchanged (its ghost copies refreshed) before a pull reads it: the pull goes to a
  later phase; values from before the round are exchanged when the round starts;
- a scalar reduction gives each partition a partial (over its local nodes only);
  the partials are combined by the coordinator, and a node value that reads the
  reduction goes to a later phase;
- every other scalar (parameters, ``n``, the stop test) is computed by the
  coordinator with the ops' numpy meaning, and passed to kernels as an argument.

The single-machine kernel is unchanged: each phase kernel is a new IR compiled by
the same pipeline, so the same emitters write it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..driver import Algorithm
from ..errors import PartitionError
from ..ir.graph import IRGraph, Loop
from ..ir.monoids import reduction
from ..ir.ops import ARGUMENT, CARRY, RESULT, op_def
from ..ir.types import DType, Kind
from ..passes.manager import optimize

# How per-partition partials of a scalar reduction combine into the global value.
COMBINE = {"sum": np.sum, "count": np.sum, "min": np.min, "max": np.max,
           "any": np.any, "all": np.all}
# Ops whose node values a partition computes on its own local nodes.
LOCAL_CATEGORIES = {"elementwise", "graph", "pull", "reduce"}
GLOBAL_INDEX, IS_LOCAL = "global_index", "is_local"


@dataclass
class Phase:
    """One round kernel: which values it reads, which it returns, and the kernel."""
    nodes: list[str]
    node_inputs: list[str] = field(default_factory=list)      # node maps read from state
    halo_inputs: list[str] = field(default_factory=list)      # ...of those, read at ghosts
    scalar_inputs: list[str] = field(default_factory=list)
    node_outputs: list[str] = field(default_factory=list)
    reductions: list[str] = field(default_factory=list)       # partials returned
    algorithm: Algorithm | None = None
    inputs_named: dict[str, str] = field(default_factory=dict)    # value id -> kernel param
    output_of: dict[str, str] = field(default_factory=dict)       # kernel output -> value id


@dataclass
class Block:
    """A straight run of IR nodes: phases, and the scalars the coordinator computes
    before each phase (``scalars[p]``) and after the last (``scalars[len(phases)]``)."""
    phases: list[Phase]
    scalars: list[list[str]]


@dataclass
class SplitPlan:
    ir: IRGraph
    items: list            # Block or (loop node, body Block), in schedule order


def split(algo: Algorithm) -> SplitPlan:
    """The algorithm cut into round kernels, or PartitionError naming what cannot be split."""
    ir, _ = optimize(algo.ir, algo.opt_level)
    users = ir.users()
    items, run = [], []
    for item in ir.schedule():
        if isinstance(item, Loop):
            if run:
                items.append(_block(ir, run, users, algo.name))
                run = []
            inner = [x for x in item.body if isinstance(x, Loop)]
            if inner:
                raise PartitionError(f"{algo.name}: a loop inside a loop cannot be split "
                                     "across partitions yet; run it on one machine")
            body = [n for n in item.body if op_def(n.op).storage != CARRY]
            items.append((item.node, _block(ir, body, users, algo.name)))
        elif op_def(item.op).storage != RESULT:
            run.append(item)
    if run:
        items.append(_block(ir, run, users, algo.name))
    return SplitPlan(ir, items)


def _check(node, name: str) -> None:
    definition = op_def(node.op)
    if definition.storage == ARGUMENT and node.type.kind is Kind.NODE:
        raise PartitionError(f"{name}: per-node parameters ({node.attr('name')!r}) cannot be "
                             "split across partitions yet; run it on one machine")
    if node.type.kind is Kind.EDGE or definition.category not in LOCAL_CATEGORIES | {"source"}:
        raise PartitionError(
            f"{name}: its {node.op!r} op reads or writes values at arbitrary nodes, which a "
            "partition does not hold; algorithms that use only elementwise ops, pulls and "
            "sum/min/max/any/all/count reductions can be split; run it on one machine")
    if node.op == "pull" and node.attr("first") is not None:
        raise PartitionError(f"{name}: a pull over each node's first arcs reads them in the "
                             "whole graph's order, which a partition's ghosts renumber; run it "
                             "on one machine")
    if definition.category == "reduce" and node.attr("reduce") not in COMBINE:
        raise PartitionError(f"{name}: a {node.attr('reduce')!r} reduction over all nodes "
                             f"cannot be combined from partitions; use one of "
                             f"{', '.join(sorted(COMBINE))}")


def _block(ir: IRGraph, nodes, users, name: str) -> Block:
    phase_of: dict[str, int] = {}      # node maps and reductions: their kernel phase
    ready: dict[str, int] = {}         # coordinator scalars: the phase that can read them
    for node in nodes:
        _check(node, name)
        is_scalar = node.type.kind is Kind.SCALAR and op_def(node.op).category != "reduce"
        if op_def(node.op).positional:
            continue                                   # a kernel argument: global ids
        need = 0
        halo = set(op_def(node.op).gathered(node))
        for i in node.inputs:
            if i in ready:                       # a scalar, or a reduction's global value
                need = max(need, ready[i])
            elif i in phase_of:
                need = max(need, phase_of[i] + (i in halo))
        if is_scalar:
            ready[node.id] = need
        else:
            phase_of[node.id] = need
            if node.type.kind is Kind.SCALAR:              # a reduction: combined after
                ready[node.id] = need + 1
    count = max(phase_of.values(), default=-1) + 1
    phases = [Phase([n for n, p in phase_of.items() if p == k]) for k in range(count)]
    scalars = [[] for _ in range(count + 1)]
    for node in nodes:
        if node.id in ready and node.id not in phase_of:
            scalars[min(ready[node.id], count)].append(node.id)
    for phase in phases:
        _build_kernel(ir, phase, users, name)
    return Block(phases, scalars)


def _build_kernel(ir: IRGraph, phase: Phase, users, name: str) -> None:
    """The phase's own IR: inputs become parameters, reductions skip ghost nodes."""
    inside = set(phase.nodes)
    kernel = IRGraph(f"{ir.name}_round")
    mapped: dict[str, str] = {}

    def argument(value: str, halo: bool) -> str:
        if value in mapped:
            if halo and value in phase.node_inputs and value not in phase.halo_inputs:
                phase.halo_inputs.append(value)
            return mapped[value]
        node = ir.node_map[value]
        if op_def(node.op).positional:
            param = _param(kernel, GLOBAL_INDEX, DType.I64, per_node=True)
        elif node.type.kind is Kind.SCALAR:
            phase.scalar_inputs.append(value)
            param = _param(kernel, f"scalar_{len(phase.scalar_inputs)}", node.type.dtype)
        else:
            phase.node_inputs.append(value)
            if halo:
                phase.halo_inputs.append(value)
            param = _param(kernel, f"value_{len(phase.node_inputs)}", node.type.dtype,
                           per_node=True)
        phase.inputs_named[value] = kernel.node_map[param].attr("name")
        mapped[value] = param
        return param

    for value in phase.nodes:
        node = ir.node_map[value]
        halo = set(op_def(node.op).gathered(node))
        inputs = [mapped[i] if i in inside else argument(i, i in halo) for i in node.inputs]
        attrs = node.attr_dict
        if op_def(node.op).category == "reduce":
            inputs = [_local_only(kernel, inputs[0], attrs["reduce"])]
        mapped[value] = kernel.add(node.op, inputs, hint=node.hint, **attrs).id
    for value in phase.nodes:
        node = ir.node_map[value]
        if op_def(node.op).category == "reduce":
            phase.reductions.append(value)
        elif any(u not in inside for u in users[value]):
            phase.node_outputs.append(value)
        else:
            continue
        name = f"out_{len(kernel.outputs)}"
        phase.output_of[name] = value
        kernel.set_output(name, mapped[value])
    phase.algorithm = Algorithm.from_ir(kernel)


def _param(kernel: IRGraph, name: str, dtype: DType, per_node: bool = False) -> str:
    if name in kernel.params:
        return next(n.id for n in kernel.nodes if n.attr("name") == name)
    return kernel.add_param(name, dtype, None, per_node=per_node).id


def _local_only(kernel: IRGraph, value: str, reduce: str) -> str:
    """``value`` on local nodes, the reduction's identity on ghosts."""
    dtype = kernel.node_map[value].type.dtype
    identity = dtype.numpy.type(reduction(reduce).identity(dtype)).item()
    local = _param(kernel, IS_LOCAL, DType.BOOL, per_node=True)
    fill = kernel.add("const", value=identity, dtype=dtype.value).id
    return kernel.add("where", [local, value, fill]).id
