"""Frontier groups: fused loops a round may run from a sparse frontier list instead of over n.

A group qualifies when it holds one pull whose sources are a loop-carried mask
(``pull(x, mask=frontier)``, or ``pull(frontier, reduce="any")``) and, at every node
the pull does not reach and that is not in the frontier, the group provably changes
nothing: the mask's next value is false there, every other carried node value keeps its
value and every reduction folds its identity.  That is checked by evaluating the
group once over abstract values (a constant, "the carry's own value", or unknown
within its dtype's range).  Such a round may then *push*: each frontier node offers
its value along its arcs, and only the nodes reached and the frontier run the rest
of the group (only the nodes reached, when the group provably changes nothing at a
frontier node the push does not reach either: ``Frontier.visit_frontier``).  The pull's reduction must give the same bits in any order
(``order_free``), or in ascending source order (``source_ordered``: a float sum), so
push and pull agree exactly; for the latter the push walks a sorted frontier list, so
every target gets its values in the order of its sorted, duplicate-free in-arcs.

Groups of the same round before the frontier group may ride on its list (``Side``):
a group of reductions that fold their identity outside the frontier (``min`` of
``frontier.where(x, inf)``, counts, ``any``) runs over the list in a pushed round, and
a group of elementwise values of the carries that only the frontier group reads is
not stored in a pushed round at all: the push computes them where it reads them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..ir.graph import IRGraph, Node
from ..ir.monoids import pull_reduction, reduction
from ..ir.ops import CARRY, CONST, evaluate_elementwise, op_def, pull_operands
from ..ir.types import DType, Kind
from .steps import GroupStep, LoopStep, ScalarStep

# push scans the arcs the opposite way to the pull
PUSH_ARCS = {"in": "out", "out": "in"}
_NODE_COUNT_RANGE = (0, 2**62)       # n and m are at most this: comparisons with them decide


@dataclass(frozen=True)
class Frontier:
    """How a frontier group runs sparse: ``pull`` is the pull, ``mask`` the carried
    frontier it reads (``mask_next`` its value next round), ``in_place`` the carried
    node values (carry, next) the group updates, ``loop`` the loop it is a round of."""
    pull: str
    mask: str
    mask_next: str
    loop: str
    in_place: tuple[tuple[str, str], ...]
    values_are_mask: bool          # pull(frontier, reduce="any"): no separate mask input
    push_arcs: str                 # "out" or "in": the arcs a frontier node pushes along
    sorted_list: bool = False      # push from the list in ascending node order (float sums)
    source_filter: str | None = None   # the pull's mask when it only narrows the carried
                                       # one (frontier & x): list nodes it excludes push nothing
    visit_frontier: bool = True    # the frontier nodes the push does not reach run the group
                                   # too (False: the group changes nothing there either)
    lazy_mask: bool = False        # only the pull reads the mask: a pushed round leaves it
                                   # stale, and a pulled one sets it from the list first
    improves_on: str | None = None     # the carry a min / max pull is only tested against:
                                       # the push drops offers that cannot beat it


@dataclass(frozen=True)
class Same:
    """The value a carry holds (unchanged)."""
    carry: str


@dataclass(frozen=True)
class _Range:
    """Unknown, but within [lo, hi] when it is a number (NaN possible for floats)."""
    lo: float
    hi: float


def _dtype_range(dtype: DType) -> _Range:
    if dtype is DType.F64:
        return _Range(-np.inf, np.inf)
    if dtype is DType.I64:
        info = np.iinfo(np.int64)
        return _Range(int(info.min), int(info.max))
    return _Range(0, 1)


@dataclass(frozen=True)
class Side:
    """A group that rides on ``frontier``'s list in a pushed round: ``role`` is "list"
    (its reductions run over the list) or "inline" (the push computes its values)."""
    role: str
    frontier: Frontier


def frontiers(ir: IRGraph, steps) -> dict[int, Frontier]:
    """``id(group step) -> Frontier`` for every frontier group of a plan's steps, in order."""
    found: dict[int, Frontier] = {}
    users = ir.users()

    def visit(steps, loop):
        for k, step in enumerate(steps):
            if isinstance(step, LoopStep):
                visit(step.body, ir.node_map[step.loop])
            elif isinstance(step, GroupStep) and loop is not None:
                frontier = frontier_of(ir, step, loop, users)
                # a pushed round updates its carries in place, a pulled one at the loop's
                # end: no later step of the round may read them
                later = computed(steps[k + 1:])
                if frontier is not None and not any(
                        later.intersection(users[c]) for c in _updated(frontier)):
                    found[id(step)] = frontier
    visit(steps, None)
    return found


def side_groups(ir: IRGraph, steps, found: dict[int, Frontier]) -> dict[int, Side]:
    """``id(group step) -> Side`` for the groups that ride on a frontier group's list."""
    sides: dict[int, Side] = {}
    users = ir.users()

    def visit(steps):
        for k, step in enumerate(steps):
            if isinstance(step, LoopStep):
                visit(step.body)
            elif id(step) in found:
                frontier = found[id(step)]
                carries = {c.id for c, _ in ir.carries(frontier.loop)}
                # back from the frontier group while nothing writes a carry: a group
                # left to the push must read the carries the round started with
                for before in reversed(steps[:k]):
                    if not isinstance(before, (GroupStep, ScalarStep)) or id(before) in found:
                        break
                    if isinstance(before, GroupStep):
                        if before.assigns:
                            break
                        role = _side_role(ir, before, step, frontier, carries, users)
                        if role is not None:
                            sides[id(before)] = Side(role, frontier)
    visit(steps)
    return sides


def _side_role(ir, step: GroupStep, target: GroupStep, frontier: Frontier, carries,
               users) -> str | None:
    if step.domain != "node":
        return None
    members = [ir.node_map[m] for m in step.members]
    if any(not (op_def(m.op).elementwise or m.op == "reduce") or op_def(m.op).gathered(m)
           or op_def(m.op).lower_member is not None and m.op != "reduce" for m in members):
        return None
    inside = set(step.members)
    nodes = [m for m in members if m.type.kind is Kind.NODE]
    reductions = [m for m in members if m.op == "reduce"]
    if reductions:
        # every value stays in the group; outside the frontier each reduction folds its
        # identity, in any order (the list is in no particular order)
        if any(u not in inside for m in nodes for u in users[m.id]):
            return None
        abstract = untouched_values(ir, members, None, frontier.mask)
        for r in reductions:
            red = reduction(r.attr("reduce"))
            dtype = ir.node_map[r.inputs[0]].type.dtype
            if (red.needs_count or not red.order_free(dtype)
                    or abstract.get(r.inputs[0]) != (CONST, red.identity(dtype))):
                return None
        return "list"
    # values recomputed where the push reads them: from the loop's carries (which only
    # the frontier group changes), scalars and each other, read by nothing else
    readers = inside | set(target.members)
    for m in nodes:
        if op_def(m.op).read_anywhere or any(u not in readers for u in users[m.id]):
            return None
        for i in m.inputs:
            source = ir.node_map[i]
            if not (i in inside or i in carries or source.type.kind is Kind.SCALAR
                    or op_def(source.op).read_anywhere):
                return None
    return "inline"


def _updated(frontier: Frontier) -> list[str]:
    return [frontier.mask, *(carry for carry, _ in frontier.in_place)]


def computed(steps) -> set[str]:
    """Every node the steps compute."""
    out: set[str] = set()
    for step in steps:
        if isinstance(step, LoopStep):
            out.add(step.loop)
            out |= computed(step.body)
        elif isinstance(step, GroupStep):
            out |= set(step.members) | set(step.after)
        else:
            out.add(getattr(step, "node", None) or step.carry)
    return out


def frontier_of(ir: IRGraph, step: GroupStep, loop: Node, users) -> Frontier | None:
    """The group's frontier schedule, or None when a round of it must run dense."""
    if step.domain != "node":
        return None
    members = [ir.node_map[m] for m in step.members]
    pulls = [m for m in members if m.op == "pull"]
    if len(pulls) != 1:
        return None
    pull = pulls[0]
    if any(op_def(m.op).gathered(m) for m in members if m is not pull):
        return None                                   # another read at other nodes
    if pull.attr("over") not in PUSH_ARCS or pull.attr("first") is not None:
        return None                                   # a push cannot tell a target's first arcs
    x, mask, _ = pull_operands(pull.inputs, pull.attr_dict)
    red = pull_reduction(pull.attr("reduce"))
    x_type = ir.node_map[x].type
    value_dtype = DType.F64 if pull.attr("weight") else x_type.dtype
    sorted_list = not red.order_free(value_dtype)
    if sorted_list and not red.source_ordered(value_dtype):
        return None
    values_are_mask = mask is None
    mask = x if values_are_mask else mask
    if values_are_mask and (pull.attr("reduce") != "any" or x_type.dtype is not DType.BOOL):
        return None
    carries = {c.id: nxt.id for c, nxt in ir.carries(loop.id)}
    source_filter = None
    if mask not in carries:
        source_filter, mask = mask, _narrowed_carry(ir, mask, carries)
        if mask is None:
            return None
    mask_next = carries[mask]
    inside = set(step.members)
    if mask_next not in inside:
        return None
    # values the group stores for later steps: only the carries' next values, read by
    # nothing but the group and the loop
    if any(_read_later(m, inside, loop, users) for m in members if m.type.kind is Kind.NODE):
        return None
    by_next = {nxt: c for c, nxt in carries.items()}
    # (a carried scalar, such as a reduction, is set at the round's end as in a dense round)
    in_place = [(by_next[m.id], m.id) for m in members
                if m.id in by_next and m.id != mask_next and m.type.kind is Kind.NODE]
    if any(nxt not in inside for _, nxt in step.assigns):
        return None                        # a carry set from outside the group
    if not _changes_nothing(ir, members, untouched_values(ir, members, pull, mask),
                            mask_next, in_place):
        return None
    # at a frontier node the push does not reach (the mask unknown there), as at any other
    visit_frontier = not _changes_nothing(ir, members, untouched_values(ir, members, pull, None),
                                          mask_next, in_place)
    # nothing but this pull reads the mask, and nothing after the loop: a pushed round may
    # leave its array stale, to be set again from the list before a pulled round
    index = [c.id for c, _ in ir.carries(loop.id)].index(mask)
    mask_read_elsewhere = users[mask] != [pull.id] or any(
        n.op == "loop_result" and n.inputs[0] == loop.id and n.attr("index") == index
        for n in ir.nodes)
    lazy_mask = not (visit_frontier or values_are_mask or source_filter or mask_read_elsewhere)
    return Frontier(pull.id, mask, mask_next, loop.id, tuple(in_place), values_are_mask,
                    PUSH_ARCS[pull.attr("over")], sorted_list, source_filter, visit_frontier,
                    lazy_mask, _improves_on(ir, pull, value_dtype, carries, users))


def _improves_on(ir, pull: Node, value_dtype: DType, carries, users) -> str | None:
    """The carry ``y`` when the pull's value ``c``, a min (max), is read only as ``c < y``
    (``c > y``) and as ``(c < y).where(c, y)``: a relaxation.  An offer at least ``y``
    at its target (at most, for max) then changes neither, so the push drops it; a NaN
    offer or ``y`` compares false and is kept, since a NaN propagates through the pull."""
    reduce = pull.attr("reduce")
    if reduce not in ("min", "max") or pull.type.dtype is not value_dtype \
            or value_dtype not in (DType.F64, DType.I64):
        return None
    better, worse = ("lt", "gt") if reduce == "min" else ("gt", "lt")
    tests, against = set(), set()
    for u in users[pull.id]:
        node = ir.node_map[u]
        if node.op == better and node.inputs[0] == pull.id != node.inputs[1]:
            against.add(node.inputs[1])
        elif node.op == worse and node.inputs[1] == pull.id != node.inputs[0]:
            against.add(node.inputs[0])
        else:
            continue
        tests.add(u)
    if len(against) != 1:
        return None
    (y,) = against
    if y not in carries:
        return None
    for u in users[pull.id]:
        node = ir.node_map[u]
        if u not in tests and not (node.op == "where" and node.inputs[0] in tests
                                   and node.inputs[1:] == (pull.id, y)):
            return None
    return y


def _changes_nothing(ir, members, abstract, mask_next, in_place) -> bool:
    """Do these abstract values leave the next mask false, every carry as it was and every
    reduction at its identity?"""
    if abstract.get(mask_next) != (CONST, False):
        return False
    if any(abstract.get(nxt) != Same(carry) for carry, nxt in in_place):
        return False
    for m in members:
        if m.type.kind is Kind.SCALAR and m.op == "reduce":
            source = ir.node_map[m.inputs[0]]
            identity = reduction(m.attr("reduce")).identity(source.type.dtype)
            if abstract.get(m.inputs[0]) != (CONST, identity):
                return False
    return True


def _narrowed_carry(ir, mask: str, carries) -> str | None:
    """The carried bool mask outside which ``mask`` (an elementwise value of this round)
    is provably false, e.g. ``frontier & (dist < bound)``; None when there is none."""
    cone, seen = [], set()

    def visit(i):
        node = ir.node_map[i]
        if i in seen or i in carries or not op_def(node.op).elementwise:
            return
        seen.add(i)
        for j in node.inputs:
            visit(j)
        cone.append(node)
    visit(mask)
    if not cone or cone[-1].id != mask:
        return None
    for carry in carries:
        if ir.node_map[carry].type.dtype is DType.BOOL and ir.node_map[carry].type.kind is Kind.NODE:
            if untouched_values(ir, cone, None, carry).get(mask) == (CONST, False):
                return carry
    return None


def _read_later(node, inside, loop, users) -> bool:
    """Does a later step read this member (other than the loop taking it as a carry)?"""
    return any(u != loop.id and u not in inside for u in users[node.id])


def untouched_values(ir, members, pull, mask, fixed: dict | None = None) -> dict:
    """Each member's abstract value at a node neither reached by the pull (None: a group
    without one) nor in the mask (None: the mask unknown there); ``fixed`` gives more
    values known there."""
    env: dict = {}
    fixed = dict(fixed or {})
    if mask is not None:
        fixed[mask] = (CONST, False)

    def value(i):
        if i in fixed:                # before env: the mask may be a member (a selection)
            return fixed[i]
        if i in env:
            return env[i]
        node = ir.node_map[i]
        if node.op == CONST:
            return (CONST, node.attr("value"))
        if op_def(node.op).storage == CARRY:
            return Same(i)
        if node.op in ("num_nodes", "num_edges"):
            return _Range(*_NODE_COUNT_RANGE)
        return None
    for m in members:
        if m is pull:
            red = pull_reduction(m.attr("reduce"))
            x_dtype = DType.F64 if m.attr("weight") else ir.node_map[m.inputs[0]].type.dtype
            env[m.id] = (CONST, red.identity(x_dtype))
        elif op_def(m.op).elementwise:
            env[m.id] = _abstract(ir, m, [value(i) for i in m.inputs])
        else:
            env[m.id] = None
    return env


def _bounds(ir, value, node_id):
    if isinstance(value, tuple):
        return value[1], value[1]
    if isinstance(value, _Range):
        return value.lo, value.hi
    r = _dtype_range(ir.node_map[node_id].type.dtype)
    return r.lo, r.hi


def _abstract(ir, node: Node, inputs):
    op = node.op
    if all(isinstance(v, tuple) for v in inputs):
        types = [ir.node_map[i].type for i in node.inputs]
        out = evaluate_elementwise(None, node, [np.asarray(v[1]) for v in inputs], types)
        return (CONST, out.item())
    if op == "where" and isinstance(inputs[0], tuple):
        return inputs[1] if inputs[0][1] else inputs[2]
    if op in ("and", "or"):
        absorbing = op == "or"             # x | True is True; x & False is False
        for v in inputs:
            if isinstance(v, tuple) and bool(v[1]) is absorbing:
                return (CONST, absorbing)
        rest = [v for v in inputs if not isinstance(v, tuple)]
        return rest[0] if len(rest) == 1 else None      # x & True is x; x | False is x
    if op in ("lt", "le", "gt", "ge", "eq"):
        a, b = (_bounds(ir, v, i) for v, i in zip(inputs, node.inputs))
        if op in ("gt", "ge"):
            a, b = b, a
        never = {"lt": a[0] >= b[1], "gt": a[0] >= b[1], "le": a[0] > b[1], "ge": a[0] > b[1],
                 "eq": a[1] < b[0] or b[1] < a[0]}[op]
        return (CONST, False) if never else None        # NaN also compares false
    return None
