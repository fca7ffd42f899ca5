"""The steps a batch plan is made of; codegen turns each into a few lines of source."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..ir.ops import op_def
from ..ir.types import Kind


@dataclass
class ScalarStep:
    """One scalar statement."""
    node: str


@dataclass
class GroupStep:
    """One fused parallel loop over all nodes.

    ``members`` run in order for every node ``i``; ``assigns`` then write
    loop-carried node values (carry <- next) at ``i``; ``after`` are scalar
    statements that read the group's reductions and so run once it is done.
    """
    members: list[str] = field(default_factory=list)
    assigns: list[tuple[str, str]] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    domain: str = "node"        # "edge": an inner loop over each node's in-arcs, then
                                # the node-domain members (a tail reading its results)


@dataclass
class OwnPassStep:
    """An op computed by a pass of its own, outside fused loops (its op's ``own_pass``):
    a scatter (one serial loop: its writes land on other nodes) or the common neighbours
    of every arc (each edge counted once, then copied to its reverse arc)."""
    node: str


@dataclass
class CopyInStep:
    """Initialise a loop-carried node value's storage from its initial value."""
    carry: str
    init: str


@dataclass
class LoopStep:
    """A loop: its body steps run until the bound or the stop condition."""
    loop: str
    index: int
    body: list = field(default_factory=list)
    copy_in: list[CopyInStep] = field(default_factory=list)
    scalar_carries: list[tuple[str, str]] = field(default_factory=list)
    # (carry, next) node maps whose arrays trade places at the end of an iteration
    # instead of copying: next has an array of its own that lives as long as the carry.
    swaps: list[tuple[str, str]] = field(default_factory=list)


Step = ScalarStep | GroupStep | OwnPassStep | CopyInStep | LoopStep


def domain(ir, node) -> str | None:
    """Where an op runs: once per node, once per arc ("edge"), or once (None: scalar)."""
    if op_def(node.op).runs_on_input:
        return ir.node_map[node.inputs[0]].type.kind.value
    if node.type.kind is Kind.SCALAR:
        return None
    return node.type.kind.value
