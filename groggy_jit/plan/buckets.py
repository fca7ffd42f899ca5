"""Bucketed groups: fused loops a round may run over the nodes of one key value only.

A loop round often changes only the nodes where an integer node map that the loop never
writes equals a loop scalar: Brandes' backward sweep updates the nodes at depth
``level`` and reads the ones at ``level + 1``.  Such a group qualifies when, at every
node where ``key == scalar`` is false, it provably changes nothing (every carry it
writes keeps its value: the same abstract evaluation as ``plan/frontier.py``, with the
group's pulls unknown).  At loop entry one counting sort groups the nodes by key
(O(n) once), so each round runs over its bucket: a pull into a bucket node reads that
node's arcs in CSR order, the same sum as the dense pull.  The groups just before it
whose values only it reads are not stored in a bucketed round: it computes them where
it reads them (at a neighbour, under the pull's mask).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ir.ops import op_def
from ..ir.types import DType, Kind
from .frontier import Same, computed, untouched_values
from .steps import GroupStep, LoopStep, ScalarStep


@dataclass(frozen=True)
class Bucket:
    """The group runs over the nodes where ``key`` (a node map the loop never writes)
    equals ``scalar``; ``inlined`` are the members of the groups before it that a
    bucketed round computes where it reads them; ``loop`` the loop it is a round of;
    ``group`` the group's first member (one bucket per group)."""
    key: str
    scalar: str
    loop: str
    inlined: tuple[str, ...]
    group: str


def buckets(ir, steps, frontier_groups) -> tuple[dict[int, Bucket], dict[int, Bucket]]:
    """``id(group step) -> Bucket`` for the bucketed groups, and for the groups whose
    values a bucketed group computes itself; frontier groups are left to their list."""
    found: dict[int, Bucket] = {}
    inline: dict[int, Bucket] = {}
    users = ir.users()

    def visit(steps, loop_step):
        for k, step in enumerate(steps):
            if isinstance(step, LoopStep):
                visit(step.body, step)
            elif (isinstance(step, GroupStep) and loop_step is not None
                    and id(step) not in frontier_groups):
                bucket = _bucket_of(ir, steps, k, loop_step, users, frontier_groups)
                if bucket is not None:
                    found[id(step)] = bucket
                    for before in steps[:k]:
                        if isinstance(before, GroupStep) and set(before.members) <= set(bucket.inlined):
                            inline[id(before)] = bucket
    visit(steps, None)
    return found, inline


def _plain(ir, members) -> bool:
    """Per-node members only: elementwise values (no reductions) and pulls."""
    for m in members:
        d = op_def(m.op)
        if m.type.kind is not Kind.NODE:
            return False
        if m.op != "pull" and not (d.elementwise and not d.gathered(m) and d.lower_member is None):
            return False
    return True


def _bucket_of(ir, steps, k, loop_step: LoopStep, users, frontier_groups) -> Bucket | None:
    step = steps[k]
    if step.domain != "node" or step.after:
        return None
    members = [ir.node_map[m] for m in step.members]
    if not _plain(ir, members) or not step.assigns:
        return None
    loop = ir.node_map[loop_step.loop]
    carries = {c.id: nxt.id for c, nxt in ir.carries(loop.id)}
    inside = set(step.members)
    # every carry the group computes is written in place by it (no swap at the loop's end)
    by_next = {nxt: c for c, nxt in carries.items()}
    written = dict(step.assigns)
    if any(m in by_next and written.get(by_next[m]) != m for m in inside):
        return None
    if any(u != loop.id and u not in inside for m in inside for u in users[m]):
        return None                              # a value stored for a later step
    written_in_loop = computed(loop_step.body) | set(carries)
    inlined = _inlined_before(ir, steps, k, inside, users, frontier_groups, carries,
                              written_in_loop)
    for select in _selections(ir, members, inlined, written_in_loop):
        abstract = untouched_values(ir, [ir.node_map[i] for i in inlined] + members, None, select)
        if all(abstract.get(nxt) == Same(carry) for carry, nxt in step.assigns):
            key, scalar = _key_and_scalar(ir, ir.node_map[select], written_in_loop)
            if _defined_before(ir, steps, k, inlined, scalar):
                return Bucket(key, scalar, loop.id, tuple(inlined), step.members[0])
    return None


def _inlined_before(ir, steps, k, inside, users, frontier_groups, carries,
                    written_in_loop) -> list[str]:
    """Members of the groups just before the group (back to a step that writes a carry)
    whose values only these groups read."""
    out: list[str] = []
    readers = set(inside)
    for before in reversed(steps[:k]):
        if isinstance(before, ScalarStep):
            continue
        if not isinstance(before, GroupStep) or before.assigns or id(before) in frontier_groups:
            break
        members = [ir.node_map[m] for m in before.members]
        group = set(before.members)
        if (before.domain != "node" or before.after or not _plain(ir, members)
                or any(m.op == "pull" for m in members)
                or any(u not in readers | group for m in group for u in users[m])):
            break
        out[:0] = before.members
        readers |= group
    # their inputs must hold the same values when the bucketed group reads them: the
    # loop's carries, values from before the loop, scalars, or each other
    kept = set(out) | set(carries) | (set(ir.node_map) - written_in_loop)
    if any(i not in kept and ir.node_map[i].type.kind is not Kind.SCALAR
           and not op_def(ir.node_map[i].op).read_anywhere
           for m in out for i in ir.node_map[m].inputs):
        return []
    return out


def _selections(ir, members, inlined, written_in_loop):
    """Members (or inlined values) ``key == scalar``: an i64 node map the loop never
    writes compared with an i64 scalar."""
    for m in [ir.node_map[i] for i in inlined] + members:
        if m.op == "eq" and _key_and_scalar(ir, m, written_in_loop) is not None:
            yield m.id


def _key_and_scalar(ir, node, written_in_loop):
    a, b = (ir.node_map[i] for i in node.inputs)
    for key, scalar in ((a, b), (b, a)):
        if (key.type.kind is Kind.NODE and key.type.dtype is DType.I64
                and scalar.type.kind is Kind.SCALAR and scalar.type.dtype is DType.I64
                and key.id not in written_in_loop and not op_def(key.op).read_anywhere):
            return key.id, scalar.id
    return None


def _defined_before(ir, steps, k, inlined, scalar) -> bool:
    """The scalar is known where a bucketed round starts (at its first inlined group)."""
    first = next((j for j, s in enumerate(steps) if isinstance(s, GroupStep)
                  and inlined and s.members[0] == inlined[0]), k)
    return not any(isinstance(s, ScalarStep) and s.node == scalar for s in steps[first:])
