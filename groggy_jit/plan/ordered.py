"""Ordered frontiers: a frontier list kept in buckets of a key, so a round costs its bucket.

Delta-stepping's shape: each round finds the lowest key over the frontier and pushes
only from the frontier nodes whose key is below a bound,

    lowest = frontier.where(key, inf).reduce("min")       # a group riding on the list
    ...pull(..., mask=frontier & (key < bound), ...)      # the frontier group

while every other frontier node waits unchanged.  Listed plainly, such a round still
walks the whole frontier, many buckets' worth.  Kept in buckets of ``key`` (width
``bound - lowest`` of the round that files them, as Julienne and GraphIt's ordered
schedules keep theirs), the lowest key is the least key of the first non-empty bucket,
and the nodes to push are the leading buckets' entries below the bound.

The group must provably change nothing at a waiting node (in the frontier, below no
bound, not reached) except through reductions that fold a constant there idempotently
(``any`` of the next frontier folds ``True``): those are folded once when a node waits.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ir.monoids import reduction
from ..ir.ops import CONST
from ..ir.types import DType, Kind
from .frontier import Frontier, Same, Side, untouched_values
from .steps import GroupStep


@dataclass(frozen=True)
class Ordered:
    """How ``frontier``'s list is bucketed: ``key`` (a carry the group updates), ``bound``
    (the scalar the filter compares it with), ``lowest`` (the riding reductions
    ``min(frontier.where(key, inf))``) and ``folds`` ((reduction, constant) for the
    frontier group's reductions that see a constant at a waiting node)."""
    frontier: Frontier
    key: str
    bound: str
    lowest: tuple[str, ...]
    folds: tuple[tuple[str, object], ...]


def ordered(ir, steps, found: dict[int, Frontier], sides: dict[int, Side]) -> dict[str, Ordered]:
    """pull id -> Ordered, for the frontier groups whose list may be kept in key buckets."""
    groups = {}

    def visit(steps):
        for step in steps:
            if isinstance(step, GroupStep):
                groups[id(step)] = step
            elif hasattr(step, "body"):
                visit(step.body)
    visit(steps)
    out = {}
    for key, frontier in found.items():
        riders = [groups[g] for g, side in sides.items()
                  if side.frontier is frontier and side.role == "list"]
        got = _ordered(ir, groups[key], frontier, riders)
        if got is not None:
            out[frontier.pull] = got
    return out


def _ordered(ir, step, frontier: Frontier, riders) -> Ordered | None:
    if frontier.source_filter is None or frontier.sorted_list or not frontier.visit_frontier:
        return None
    selection = ir.node_map[frontier.source_filter]
    if selection.op != "and" or frontier.mask not in selection.inputs or len(selection.inputs) != 2:
        return None
    (test,) = [ir.node_map[i] for i in selection.inputs if i != frontier.mask] or [None]
    if test is None or test.op not in ("lt", "le"):
        return None
    key, bound = test.inputs
    key_type = ir.node_map[key].type
    if (key not in {c for c, _ in frontier.in_place} or key_type.kind is not Kind.NODE
            or key_type.dtype not in (DType.F64, DType.I64)
            or ir.node_map[bound].type.kind is not Kind.SCALAR):
        return None
    lowest = []
    for rider in riders:
        for m in rider.members:
            node = ir.node_map[m]
            if node.op == "reduce" and not _is_lowest(ir, node, frontier.mask, key):
                return None
            if node.op == "reduce":
                lowest.append(m)
    if not lowest:
        return None
    # a waiting node: in the frontier, failing the test, reached by no push
    members = [ir.node_map[m] for m in step.members]
    pull = ir.node_map[frontier.pull]
    waiting = untouched_values(ir, members, pull, None,
                               {frontier.mask: (CONST, True), test.id: (CONST, False)})
    if waiting.get(frontier.mask_next) != (CONST, True):
        return None
    if any(waiting.get(nxt) != Same(carry) for carry, nxt in frontier.in_place):
        return None
    folds = []
    for m in members:
        if m.type.kind is Kind.SCALAR and m.op == "reduce":
            red = reduction(m.attr("reduce"))
            seen = waiting.get(m.inputs[0])
            if seen == (CONST, red.identity(ir.node_map[m.inputs[0]].type.dtype)):
                continue
            if not (red.idempotent and isinstance(seen, tuple) and seen[0] == CONST):
                return None
            folds.append((m.id, seen[1]))
    return Ordered(frontier, key, bound, tuple(lowest), tuple(folds))


def _is_lowest(ir, node, mask, key) -> bool:
    """Is ``node`` ``min(mask.where(key, identity))``?"""
    if node.attr("reduce") != "min":
        return False
    chosen = ir.node_map[node.inputs[0]]
    if chosen.op != "where" or chosen.inputs[:2] != (mask, key):
        return False
    empty = ir.node_map[chosen.inputs[2]]
    identity = reduction("min").identity(ir.node_map[key].type.dtype)
    return empty.op == CONST and empty.attr("value") == identity
