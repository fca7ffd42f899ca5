"""``PlanGenerator`` and ``compile_plan``: optimized IR -> execution plan.

``BatchPlanGenerator`` and ``compile_to_batch`` are the seed's names for them.
"""

from __future__ import annotations

from ..errors import IRError
from ..ir.graph import IRGraph
from ..ir.ops import ARGUMENT, CARRY, op_def
from ..ir.types import Kind
from ..ir.verify import verify
from .fusion import form_steps
from ..passes.manager import PassReport, optimize
from .liveness import drop_unstored, live_intervals, materialized, storage_of
from .plan import ExecutionPlan, readable_names
from .slots import allocate
from .steps import LoopStep

INDEX_DTYPES = ("int32", "int64")


class PlanGenerator:
    """Turns an IR graph into a plan: passes, fusion, live ranges, slots.

    Parameters
    ----------
    opt_level : int
        0 runs no passes and fuses nothing (one parallel loop per op); 1 runs all.
    """

    def __init__(self, opt_level: int = 1):
        self.opt_level = opt_level
        self.report = PassReport()

    def generate(self, ir: IRGraph, index_dtype: str = "int32") -> ExecutionPlan:
        if index_dtype not in INDEX_DTYPES:
            raise ValueError(f"index_dtype must be one of {INDEX_DTYPES}")
        verify(ir)
        optimized, self.report = optimize(ir, self.opt_level)
        return build_plan(optimized, ir.name, index_dtype, fused=self.opt_level > 0)


def build_plan(ir: IRGraph, name: str, index_dtype: str, fused: bool) -> ExecutionPlan:
    """Steps, live ranges and slots for an already optimized IR (no passes run)."""
    steps = form_steps(ir, fuse=fused)
    arrays = materialized(ir, steps) | {
        n.id for n in ir.nodes if op_def(n.op).storage == CARRY and n.type.kind is not Kind.SCALAR}
    steps = drop_unstored(ir, steps, arrays)
    intervals = live_intervals(ir, steps, arrays)
    slots, slot_of = allocate(intervals, lambda v: ir.node_map[v].type,
                              carry_initial_values(ir, steps, arrays))
    return ExecutionPlan(
        name=name, ir=ir, steps=steps, slots=slots, slot_of=slot_of, index_dtype=index_dtype,
        num_loops=_count_loops(steps), fused=fused, names=readable_names(ir))


def carry_initial_values(ir: IRGraph, steps, arrays: set[str]) -> dict[str, str]:
    """Every node carry's initial value (the array it is copied from on entering its loop)."""
    found = {}
    for step in steps:
        if isinstance(step, LoopStep):
            for copy in step.copy_in:
                init = storage_of(ir, copy.init, arrays)
                if init is not None and op_def(ir.node_map[init].op).storage != ARGUMENT:
                    found[copy.carry] = init
            found.update(carry_initial_values(ir, step.body, arrays))
    return found


def _count_loops(steps) -> int:
    return sum(1 + _count_loops(s.body) for s in steps if isinstance(s, LoopStep))


def compile_plan(algorithm, index_dtype: str = "int32", opt_level: int = 1) -> ExecutionPlan:
    """Compile an ``IRGraph`` (or an algorithm / builder holding one) to a batch plan."""
    ir = getattr(algorithm, "ir", algorithm)
    if not isinstance(ir, IRGraph):
        raise IRError(f"compile_plan needs an IRGraph or an algorithm, got "
                      f"{type(algorithm).__name__}; e.g. compile_plan(groggy_jit.pagerank)")
    return PlanGenerator(opt_level).generate(ir, index_dtype)


# the seed's names
BatchPlanGenerator = PlanGenerator
compile_to_batch = compile_plan
