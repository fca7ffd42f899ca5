"""Which node maps need arrays, and the live range of each array-backed value.

Program positions number the steps in execution order (a loop's body once).
A value read inside a loop but defined before it must survive every iteration,
so its range reaches the loop's end; a loop-carried value lives from its
copy-in through the loop and as long as the loop's result is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..ir.graph import IRGraph
from ..ir.ops import RESULT, op_def
from ..ir.types import Kind
from .steps import CopyInStep, GroupStep, LoopStep, OwnPassStep, ScalarStep

END = 10**9


@dataclass
class Interval:
    value: str
    start: int
    end: int
    uses: list[int] = field(default_factory=list)


def _needs_array(ir: IRGraph, value: str, user: str) -> bool:
    """Whether ``user`` reads ``value`` from an array: always, except a value a reader at
    one node computes instead (a node's own index, or a fill's scalar)."""
    if not op_def(ir.node_map[value].op).read_anywhere:
        return True
    return user not in ir.node_map or op_def(ir.node_map[user].op).whole_arrays


def materialized(ir: IRGraph, steps) -> set[str]:
    """Node-map group members that some other step reads, or that are outputs."""
    users = ir.users()
    out: set[str] = set()

    def visit(steps):
        for step in steps:
            if isinstance(step, LoopStep):
                visit(step.body)
            elif isinstance(step, OwnPassStep):
                out.add(step.node)
            elif isinstance(step, GroupStep):
                members = set(step.members)
                assigned = {nxt for _, nxt in step.assigns}
                for m in step.members:
                    if ir.node_map[m].type.kind is Kind.SCALAR:
                        continue
                    for u in users[m]:
                        if u in members or not _needs_array(ir, m, u):
                            continue
                        if u in ir.node_map and op_def(ir.node_map[u].op).region and m in assigned \
                                and _all_assigns_here(ir, u, m, step):
                            continue
                        out.add(m)
                        break

    visit(steps)
    return out


def drop_unstored(ir: IRGraph, steps, arrays: set[str]) -> list:
    """``steps`` without the group members that nothing reads (node indices whose
    readers compute them); a group left with nothing to do is dropped."""
    out = []
    for step in steps:
        if isinstance(step, LoopStep):
            step.body = drop_unstored(ir, step.body, arrays)
        elif isinstance(step, GroupStep):
            needed = {n for _, n in step.assigns}
            for m in reversed(step.members):
                node = ir.node_map[m]
                if node.type.kind is Kind.SCALAR or m in arrays or m in needed:
                    needed.add(m)
                if m in needed:
                    needed.update(node.inputs)
            step.members = [m for m in step.members if m in needed]
            if not step.members and not step.assigns:
                continue
        out.append(step)
    return out


def _all_assigns_here(ir, loop_id, value, group) -> bool:
    wanted = {(c.id, n.id) for c, n in ir.carries(loop_id) if n.id == value}
    return wanted <= set(group.assigns)


def storage_of(ir: IRGraph, value: str, arrays: set[str]) -> str | None:
    """The array-backed value ``value`` reads: itself, or the carry behind a loop result."""
    node = ir.node_map[value]
    if op_def(node.op).storage == RESULT:
        return storage_of(ir, ir.carry_of(node).id, arrays)
    return value if value in arrays else None


def live_intervals(ir: IRGraph, steps, arrays: set[str]) -> dict[str, Interval]:
    """Intervals for every array-backed value (``arrays``: materialized values and node carries)."""
    intervals: dict[str, Interval] = {}
    loops: list[tuple[int, int]] = []
    swapped: list[tuple[str, str]] = []
    pos = 0

    def define(value, at):
        intervals[value] = Interval(value, at, at)

    def use(value, at):
        target = storage_of(ir, value, arrays)
        if target is not None:
            intervals[target].uses.append(at)

    def visit(steps):
        nonlocal pos
        for step in steps:
            if isinstance(step, LoopStep):
                for copy in step.copy_in:
                    pos += 1
                    use(copy.init, pos)
                    define(copy.carry, pos)
                pos += 1
                start = pos
                visit(step.body)
                pos += 1
                loops.append((start, pos))
                for copy in step.copy_in:
                    intervals[copy.carry].uses.append(pos)
                for carry, nxt in step.scalar_carries:
                    use(nxt, pos)
                swapped.extend(step.swaps)
            elif isinstance(step, GroupStep):
                pos += 1
                members = set(step.members)
                for m in step.members:
                    for i in ir.node_map[m].inputs:
                        if i not in members:
                            use(i, pos)
                for carry, nxt in step.assigns:
                    use(carry, pos)
                    if nxt not in members:
                        use(nxt, pos)
                for m in step.members:
                    if m in arrays:
                        define(m, pos)
            elif isinstance(step, OwnPassStep):
                pos += 1
                for i in ir.node_map[step.node].inputs:
                    use(i, pos)
                define(step.node, pos)
            elif isinstance(step, ScalarStep):
                pos += 1
            elif isinstance(step, CopyInStep):        # only inside LoopStep
                raise AssertionError("copy-in outside a loop")

    visit(steps)
    for _, nid in ir.outputs:
        use(nid, END)
    for iv in intervals.values():
        iv.end = max([iv.start, *iv.uses])
    for start, end in loops:
        for iv in intervals.values():
            if iv.start < start and any(start <= u <= end for u in iv.uses):
                iv.end = max(iv.end, end)
    for carry, nxt in swapped:             # the two arrays trade places: same lifetime
        c, x = intervals[carry], intervals[nxt]
        c.start = x.start = min(c.start, x.start)
        c.end = x.end = max(c.end, x.end)
    return intervals
