"""``ExecutionPlan``: everything codegen and the executor need, and nothing else."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from ..ir.graph import IRGraph
from ..ir.ops import op_def
from ..ir.types import Kind
from .buckets import Bucket, buckets
from .frontier import Frontier, Side, frontiers, side_groups
from .liveness import storage_of
from .ordered import Ordered, ordered
from .slots import Slot
from .steps import GroupStep, LoopStep, ScalarStep

# Bump when generated code changes meaning for the same plan: it is part of every hash.
PLAN_FORMAT_VERSION = 5

# Reductions are summed over this many fixed chunks, then combined in chunk order,
# so results do not depend on the number of threads.
CHUNKS = 256

_RESERVED = {"n", "m", "i", "j", "k", "c", "v", "ONE", "lo", "hi", "bounds", "target", "np", "prange", "directed", "loop_info", "loop_residual",
             "in_indptr", "in_indices", "out_indptr", "out_indices", "in_weights",
             "out_weights", "kernel", "schedule", "u", "t", "push_at", "push_reached",
             "push_offered", "push_offer", "next_size", "next_arcs", "frontier_count",
             "frontier_arcs", "p", "npairs", "bucket_p", "bucket_size", "b", "q", "entry",
             "after", "found", "first", "bucket", "word", "packed", "touched_marks", "waiting_reached", "waiting_reached_arcs"}
# kernel locals made per group, loop or slot: frontier_list_0, acc_x, s3, iterations0...
_RESERVED_PATTERN = re.compile(r"(frontier|bucket|ordered|push|waiting|partial|acc|next|"
                               r"at)_\w*|s\d+|iterations\d+|converged\d+")


@dataclass
class ExecutionPlan:
    name: str
    ir: IRGraph
    steps: list
    slots: list[Slot]
    slot_of: dict[str, int]
    index_dtype: str
    num_loops: int
    fused: bool = True
    names: dict[str, str] = field(default_factory=dict)

    @property
    def params(self):
        return list(self.ir.params.values())

    @property
    def outputs(self):
        return list(self.ir.outputs)

    @property
    def uses_weights(self) -> bool:
        return any(op_def(n.op).reads_weights(n) for n in self.ir.nodes)

    @property
    def num_values(self) -> int:
        """IR values that are node maps (each would need an array without slot reuse)."""
        return sum(1 for n in self.ir.nodes if n.type.kind is Kind.NODE)

    @property
    def plan_hash(self) -> str:
        """Stable across processes; independent of node ids, hints and parameter values."""
        key = "|".join([str(PLAN_FORMAT_VERSION), self.ir.structural_hash(), self.index_dtype,
                        str(CHUNKS), str(self.fused)])
        return hashlib.sha256(key.encode()).hexdigest()

    def copies(self, step: LoopStep) -> list:
        """The copies into ``step``'s carries that move data: a carry that took over its
        initial value's array (``slots.allocate``) needs none."""
        return [c for c in step.copy_in if self.slot_of.get(c.carry) !=
                self.slot_of.get(storage_of(self.ir, c.init, self.slot_of.keys()), -1)]

    @property
    def frontiers(self) -> dict[str, Frontier]:
        """pull id -> the frontier schedule of the group it is in (``plan/frontier.py``)."""
        found = self.__dict__.get("_frontiers")
        if found is None:
            found = self.__dict__["_frontiers"] = {f.pull: f for f in
                                                   frontiers(self.ir, self.steps).values()}
        return found

    def frontier_of(self, step: GroupStep) -> Frontier | None:
        return next((self.frontiers[m] for m in step.members if m in self.frontiers), None)

    def _frontier_groups(self) -> dict[int, Frontier]:
        return {id(s): f for s in self._groups(self.steps) if (f := self.frontier_of(s)) is not None}

    def side_of(self, step: GroupStep) -> Side | None:
        """How the group rides on a frontier group's list in a pushed round, if it does."""
        sides = self.__dict__.get("_sides")
        if sides is None:
            sides = self.__dict__["_sides"] = side_groups(self.ir, self.steps,
                                                          self._frontier_groups())
        return sides.get(id(step))

    def ordered_of(self, frontier: Frontier) -> Ordered | None:
        """How ``frontier``'s list is kept in key buckets (``plan/ordered.py``), if it is."""
        found = self.__dict__.get("_ordered")
        if found is None:
            self.side_of(None)                        # the sides, computed once
            found = self.__dict__["_ordered"] = ordered(self.ir, self.steps,
                                                         self._frontier_groups(),
                                                         self.__dict__["_sides"])
        return found.get(frontier.pull)

    def _buckets(self):
        found = self.__dict__.get("_bucket_groups")
        if found is None:
            frontier_groups = {id(s) for s in self.groups() if self.frontier_of(s) is not None}
            found = self.__dict__["_bucket_groups"] = buckets(self.ir, self.steps, frontier_groups)
        return found

    def bucket_of(self, step: GroupStep) -> Bucket | None:
        """The key bucket the group may run over (``plan/buckets.py``), if it may."""
        return self._buckets()[0].get(id(step))

    def bucket_inlined_by(self, step: GroupStep) -> Bucket | None:
        """The bucketed group that computes this group's values itself, if one does."""
        return self._buckets()[1].get(id(step))

    @property
    def bucket_list(self) -> list[Bucket]:
        """Every bucketed group's bucket, in plan order: codegen numbers them so."""
        return [b for s in self.groups() if (b := self.bucket_of(s)) is not None]

    def inlined(self, frontier: Frontier) -> set[str]:
        """The values a push from ``frontier``'s list computes where it reads them."""
        return {m for s in self._groups(self.steps) if (side := self.side_of(s)) is not None
                and side.frontier == frontier and side.role == "inline" for m in s.members}

    def group_of(self, member: str) -> GroupStep | None:
        """The fused group that computes ``member``."""
        return next((g for g in self._groups(self.steps) if member in g.members), None)

    def _groups(self, steps):
        for s in steps:
            if isinstance(s, LoopStep):
                yield from self._groups(s.body)
            elif isinstance(s, GroupStep):
                yield s

    def loop_steps(self) -> list[LoopStep]:
        out = []

        def visit(steps):
            for s in steps:
                if isinstance(s, LoopStep):
                    out.append(s)
                    visit(s.body)
        visit(self.steps)
        return out

    def groups(self) -> list[GroupStep]:
        out = []

        def visit(steps):
            for s in steps:
                if isinstance(s, LoopStep):
                    visit(s.body)
                elif isinstance(s, GroupStep):
                    out.append(s)
        visit(self.steps)
        return out

    def __str__(self) -> str:
        lines = [f"plan {self.name}: {len(self.slots)} array slot(s) for {self.num_values} "
                 f"node-map value(s), {len(self.groups())} parallel loop(s), "
                 f"index {self.index_dtype}, hash {self.plan_hash[:12]}"]
        for slot in self.slots:
            held = ", ".join(self.names[v] for v in slot.values)
            lines.append(f"  slot s{slot.index}: {slot.type}  <- {held}")

        def show(steps, depth):
            pad = "  " * depth
            for s in steps:
                if isinstance(s, LoopStep):
                    loop = self.ir.node_map[s.loop]
                    carries = ", ".join(f"{self.names[c]} <- {self.names[n]}"
                                        for c, n in ((c.id, n.id) for c, n in self.ir.carries(s.loop)))
                    lines.append(f"{pad}loop #{s.index} {loop.attr('kind')} "
                                 f"max_iter={self.names[loop.inputs[0]]} carries: {carries}")
                    show(s.body, depth + 1)
                elif isinstance(s, GroupStep):
                    members = " ".join(self._member(m) for m in s.members)
                    assigns = "".join(f" {self.names[c]}<-{self.names[n]}" for c, n in s.assigns)
                    lines.append(f"{pad}parallel [{members}]{' writes' + assigns if assigns else ''}")
                    frontier = self.frontier_of(s)
                    if frontier is not None:
                        lines.append(f"{pad}  frontier-driven by {self.names[frontier.mask]}: "
                                     f"push along {frontier.push_arcs}-arcs from its "
                                     f"{'sorted ' if frontier.sorted_list else ''}list"
                                     + (f" (the nodes of it in {self.names[frontier.source_filter]})"
                                        if frontier.source_filter else "") + ", "
                                     "or pull into every node; schedule auto|push|pull")
                        if frontier.improves_on is not None:
                            lines.append(f"{pad}  a push drops the offers that cannot beat "
                                         f"{self.names[frontier.improves_on]} at their target")
                        ordered_ = self.ordered_of(frontier)
                        if ordered_ is not None:
                            lines.append(f"{pad}  ordered: the list kept in buckets of "
                                         f"{self.names[ordered_.key]}; a pushed round reads "
                                         f"the buckets below {self.names[ordered_.bound]} only")
                    bucket = self.bucket_of(s)
                    if bucket is not None:
                        lines.append(f"{pad}  bucketed by {self.names[bucket.key]} == "
                                     f"{self.names[bucket.scalar]}: a round runs over those nodes "
                                     "only (one counting sort at loop entry), or over every node; "
                                     "schedule auto|push|pull")
                    if self.bucket_inlined_by(s) is not None:
                        lines.append(f"{pad}  in a bucketed round: not stored, the bucketed "
                                     "group computes these where it reads them")
                    side = self.side_of(s)
                    if side is not None:
                        how = ("run over its list" if side.role == "list"
                               else "not stored: the push computes these where it reads them")
                        lines.append(f"{pad}  in a round that pushes from "
                                     f"{self.names[side.frontier.mask]}'s list: {how}")
                elif isinstance(s, ScalarStep) and not op_def(self.ir.node_map[s.node].op).leaf:
                    lines.append(f"{pad}scalar {self.names[s.node]} = {self.ir.node_map[s.node].op}")

        show(self.steps, 1)
        outs = ", ".join(f"{k}={self.names[v]}" for k, v in self.outputs)
        lines.append(f"  return {outs}")
        return "\n".join(lines)

    def _member(self, m: str) -> str:
        node = self.ir.node_map[m]
        where = f"->s{self.slot_of[m]}" if m in self.slot_of else ""
        return f"{self.names[m]}:{node.op}{where}"


BatchExecutionPlan = ExecutionPlan     # the seed's name


def _reserved(name: str) -> bool:
    return name in _RESERVED or _RESERVED_PATTERN.fullmatch(name) is not None


def readable_names(ir: IRGraph) -> dict[str, str]:
    """Source-level names: the traced Python name where known, made unique."""
    names, used = {}, set()
    for index, node in enumerate(ir.flat_schedule()):
        base = re.sub(r"\W", "_", node.hint or "") or "v"
        if base[0].isdigit():
            base = "v" + base
        name = base if base != "v" and not _reserved(base) and base not in used else f"{base}{index}"
        while name in used or _reserved(name):
            name += "_"
        used.add(name)
        names[node.id] = name
    return names
