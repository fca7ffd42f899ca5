"""Fusion: turn a schedule into steps, fusing node-map work into parallel loops.

Consecutive node-domain ops (elementwise maps, degrees, pulls, reductions and
loop-carry writes) share one loop over the nodes as long as every member reads
the others only at its own node ``i``.  A pull gathers its input from other
nodes, so that input must be finished before the pull's loop starts; a scalar
computed from a reduction is only known after its loop ends.
"""

from __future__ import annotations

from ..ir.graph import IRGraph, Loop
from ..ir.ops import op_def
from ..ir.types import Kind
from .steps import CopyInStep, GroupStep, LoopStep, OwnPassStep, ScalarStep, domain


class _Fuser:
    def __init__(self, ir: IRGraph, enabled: bool = True):
        self.ir = ir
        self.enabled = enabled
        self.loop_count = 0

    def steps(self, items, loop_id: str | None = None, swaps: list | None = None) -> list:
        steps: list = []
        group: GroupStep | None = None

        def close():
            nonlocal group
            if group is not None:
                steps.append(group)
                steps.extend(ScalarStep(s) for s in group.after)
                group = None

        for item in items:
            if isinstance(item, Loop):
                close()
                steps.append(self.loop(item))
                continue
            node = item
            definition = op_def(node.op)
            if definition.storage is not None and not definition.leaf:   # already stored
                continue
            where = domain(self.ir, node)
            if where is None:
                if group is not None and self._depends_on(node, group):
                    group.after.append(node.id)
                else:
                    steps.append(ScalarStep(node.id))
                continue
            if definition.own_pass:
                # independent of the open group: run first and let the group go on
                if group is not None and self._depends_on(node, group):
                    close()
                steps.append(OwnPassStep(node.id))
                continue
            if self.enabled and node.type.kind is Kind.SCALAR \
                    and self._hoist(steps, group, node, where, loop_id):
                continue
            if group is None or not self.enabled or not self._can_join(group, node, where):
                close()
                group = GroupStep(domain=where)
            group.members.append(node.id)
        if loop_id is not None:
            for carry, nxt in self.ir.carries(loop_id):
                if carry.type.kind is Kind.SCALAR or nxt.id == carry.id:
                    continue
                where = carry.type.kind.value
                # an edge group's loop over nodes writes node carries after its tail
                if group is not None and self.enabled and group.domain in (where, "edge") \
                        and self._can_assign(group, carry.id, nxt.id):
                    group.assigns.append((carry.id, nxt.id))
                elif swaps is not None and self.enabled and self._can_swap(loop_id, nxt, items):
                    swaps.append((carry.id, nxt.id))
                else:
                    close()
                    group = GroupStep(domain=where)
                    group.assigns.append((carry.id, nxt.id))
        close()
        return steps

    def loop(self, item: Loop) -> LoopStep:
        step = LoopStep(item.node.id, self.loop_count)
        self.loop_count += 1
        for carry, nxt in self.ir.carries(item.node.id):
            init = carry.inputs[0]
            if carry.type.kind is Kind.SCALAR:
                step.scalar_carries.append((carry.id, nxt.id))
            else:
                step.copy_in.append(CopyInStep(carry.id, init))
        step.body = self.steps(item.body, item.node.id, step.swaps)
        return step

    def _can_swap(self, loop_id: str, nxt, items) -> bool:
        """Next is computed by this loop's own fused loops and is the next of one carry only."""
        computed_here = any(getattr(i, "id", None) == nxt.id for i in items)
        nexts = [n.id for _, n in self.ir.carries(loop_id)]
        return computed_here and op_def(nxt.op).storage is None and nexts.count(nxt.id) == 1

    def _hoist(self, steps, group, node, where, loop_id) -> bool:
        """Put a reduction into the earliest closed group it can ride in, so that what
        waits for it can fuse with the work after it.  Its chunked partials give the same
        bits in any loop; the steps it passes must compute none of its inputs."""
        inputs = set(node.inputs)
        if group is not None and inputs & (set(group.members) | set(group.after)):
            return False
        earliest = None
        for step in reversed(steps):
            if isinstance(step, ScalarStep):
                if step.node in inputs:
                    break
                continue
            if not isinstance(step, GroupStep):
                break                     # a loop or an own pass: not moved across
            if self._can_join(step, node, where) and not (
                    loop_id is not None and self._may_run_sparse(step)):
                earliest = step
            if inputs & (set(step.members) | set(step.after)):
                break
        if earliest is None:
            return False
        earliest.members.append(node.id)
        return True

    def _may_run_sparse(self, group: GroupStep) -> bool:
        """A loop's group with a pull may be a frontier round (plan/frontier.py), which
        allows only reductions it proves idle off the frontier: left as it is."""
        return any(self.ir.node_map[m].op == "pull" for m in group.members)

    # --- legality -----------------------------------------------------------------
    def _produced_after(self, group: GroupStep) -> set[str]:
        """Values of a group that exist only once its loop has finished: its scalar
        members (reductions, combined over the chunks) and what reads them."""
        reductions = {m for m in group.members if self.ir.node_map[m].type.kind is Kind.SCALAR}
        return reductions | set(group.after)

    def _depends_on(self, node, group: GroupStep) -> bool:
        later = self._produced_after(group) | set(group.members)
        return any(i in later for i in node.inputs)

    def _can_join(self, group: GroupStep, node, where: str) -> bool:
        # a node op can follow an edge group's arc loop, in the same loop over nodes
        if group.assigns or not (group.domain == where or (group.domain, where) == ("edge", "node")):
            return False
        members = set(group.members)
        if any(i in self._produced_after(group) for i in node.inputs):
            return False
        if any(i in members and not op_def(self.ir.node_map[i].op).read_anywhere
               for i in op_def(node.op).gathered(node)):
            return False                 # read at other nodes: those inputs must be done
        return True

    def _can_assign(self, group: GroupStep, carry: str, nxt: str) -> bool:
        if nxt in self._produced_after(group):
            return False
        for m in group.members:
            node = self.ir.node_map[m]
            if carry in op_def(node.op).gathered(node):
                return False             # others still gather the old value
        return True


def form_steps(ir: IRGraph, fuse: bool = True) -> list:
    """Steps for a whole algorithm (``fuse=False``: one loop per node-domain op)."""
    return _Fuser(ir, fuse).steps(ir.schedule())
