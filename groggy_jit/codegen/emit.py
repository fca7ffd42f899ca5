"""Plan -> the source of one readable Python function, compiled by Numba as one kernel.

Every fused group becomes one ``prange`` loop over fixed node chunks; scalar
reductions keep one partial per chunk and combine them in chunk order, so the
result does not depend on how many threads ran.  Loops are ``while`` loops
inside the same function, so one algorithm run is one native call.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ir.graph import Node
from ..ir.lowering import EDGE_LISTS, NUMPY_DTYPE, literal
from ..ir.monoids import reduction
from ..ir.ops import ARGUMENT, CONST, RESULT, op_def, pull_operands
from ..ir.types import DType, Kind
from ..plan.liveness import storage_of
from ..plan.plan import CHUNKS, ExecutionPlan
from ..plan.steps import GroupStep, LoopStep, OwnPassStep, ScalarStep, domain
from . import buckets as bucket_schedule
from . import frontier as frontier_schedule
from .abi import GRAPH_ARGUMENTS, RUN_ARGUMENTS, parameter_order
from .helpers import helpers_source

NUMBA_TYPE = {DType.F64: "types.float64", DType.I64: "types.int64", DType.BOOL: "types.boolean"}
FLAGS = 'parallel=True, cache=True, nogil=True, error_model="numpy"'


@dataclass(frozen=True)
class KernelSource:
    """The generated module: ``header`` (imports, signature), ``function`` (the kernel)."""
    header: str
    function: str

    @property
    def text(self) -> str:
        return f"{self.header}\n\n\n@njit(SIGNATURE, {FLAGS})\n{self.function}"


class _Writer:
    def __init__(self):
        self.lines: list[str] = []
        self.depth = 1

    def line(self, text: str = "") -> None:
        self.lines.append("    " * self.depth + text if text else "")

    def indent(self):
        writer = self

        class _Block:
            def __enter__(self):
                writer.depth += 1

            def __exit__(self, *exc):
                writer.depth -= 1
        return _Block()


class KernelEmitter:
    """Writes one plan's kernel: the generic loops and names, the ops' own lowering rules
    (``ir/lowering.py``, named by the op table) get this object as ``e``."""

    def __init__(self, plan: ExecutionPlan):
        self.plan = plan
        self.ir = plan.ir
        self.arrays = set(plan.slot_of)
        self.w = _Writer()
        self.locals: set[str] = set()       # group members held in element locals
        self.inlined: set[str] = set()      # values computed where they are read (a push)
        self.at = "i"                        # the element index: i (node), k (in-arc), p (pair)
        self.frontier_index = {pull: g for g, pull in enumerate(plan.frontiers)}
        self.bucket_index = {bucket: b for b, bucket in enumerate(plan.bucket_list)}
        self.loop_rows: dict[str, int] = {}
        self.bitmaps: dict[str, str] = {}   # pull id -> the bitmap its source mask is read from

    # --- naming -----------------------------------------------------------------
    def resolve(self, value: str) -> str:
        """A loop result reads its carry."""
        node = self.ir.node_map[value]
        if op_def(node.op).storage == RESULT:
            return self.resolve(self.ir.carry_of(node).id)
        return value

    def name(self, value: str) -> str:
        """How a scalar (or array-free value) is referred to: inlined when it is a leaf."""
        node = self.ir.node_map[self.resolve(value)]
        if op_def(node.op).leaf:
            return self.expression(node, self.name)
        return self.plan.names[node.id]

    def slot(self, value: str) -> str:
        if op_def(self.ir.node_map[value].op).storage == ARGUMENT:   # the caller's array
            return self.plan.names[value]
        target = storage_of(self.ir, value, self.arrays)
        if target is None:
            raise AssertionError(f"{value} has no array")
        return f"s{self.plan.slot_of[target]}"

    def element(self, value: str) -> str:
        """Expression for ``value`` at node ``i`` inside a group."""
        node = self.ir.node_map[self.resolve(value)]
        if node.type.kind is Kind.SCALAR:
            return self.name(node.id)
        if node.id in self.locals:
            return self.plan.names[node.id]
        if node.id in self.inlined:
            return self.expression(node, self.element)
        if op_def(node.op).read_anywhere:          # no array read
            return self.value_at(node.id, self.at)
        return f"{self.slot(node.id)}[{self.at}]"

    def operands(self, node: Node, read) -> list[str]:
        """An elementwise op's operand expressions, each cast as the op's rule says."""
        types = tuple(self.ir.node_map[i].type for i in node.inputs)
        targets = op_def(node.op).operand_casts(types, node.type)
        out = []
        for value, want, have in zip(node.inputs, targets, types):
            leaf = self.ir.node_map[value]
            if want is None or have.dtype is want:
                out.append(read(value))
            elif leaf.op == CONST:
                out.append(literal(leaf.attr("value"), want))   # the constant in that dtype
            else:
                out.append(f"{NUMPY_DTYPE[want]}({read(value)})")
        return out

    def expression(self, node: Node, read) -> str:
        """The node's value at the current element, as the op's lowering writes it."""
        return op_def(node.op).lower(self, node, read)

    def input_dtype(self, node: Node) -> DType:
        return self.ir.node_map[node.inputs[0]].type.dtype

    # --- the function ---------------------------------------------------------------
    def function(self) -> str:
        w, plan = self.w, self.plan
        params = {n.attr("name"): n.id for n in self.ir.nodes
                  if op_def(n.op).storage == ARGUMENT}
        args = list(GRAPH_ARGUMENTS) + list(RUN_ARGUMENTS) + [plan.names[params[p]] for p in parameter_order(params)]
        w.line("m = np.int64(in_indices.shape[0])")
        w.line("ONE = np.uint64(1)  # unsigned indices: no negative-index checks in hot loops")
        # np.zeros and slice copies would each become a parallel loop (and compile time)
        w.line(f"loop_info = np.empty(({max(plan.num_loops, 1)}, 4), np.int64)")
        w.line(f"loop_residual = np.empty({max(plan.num_loops, 1)}, np.float64)")
        w.line(f"for j in range({max(plan.num_loops, 1)}):")
        with w.indent():
            w.line("for column in range(4):")
            with w.indent():
                w.line("loop_info[j, column] = 0")
            w.line("loop_residual[j] = np.nan  # no convergence test ran")
        w.line(f"# node ranges of the {CHUNKS} parallel chunks, balanced by nodes + in-edges")
        w.line(f"bounds = balanced_starts(in_indptr, n, {CHUNKS})")
        for name, value in params.items():
            if self.ir.params[name].pairs:          # at most one (IRGraph.add_param)
                w.line(f"npairs = np.int64({plan.names[value]}.shape[0])")
        for slot in plan.slots:
            held = ", ".join(plan.names[v] for v in slot.values)
            size = {Kind.EDGE: "m", Kind.PAIR: "npairs"}.get(slot.type.kind, "n")
            w.line(f"s{slot.index} = np.empty({size}, {NUMPY_DTYPE[slot.type.dtype]})  # {held}")
        for node in self.ir.nodes:
            if op_def(node.op).lower_setup:
                op_def(node.op).lower_setup(self, node)
        for pull, g in self.frontier_index.items():
            frontier_schedule.setup(self, plan.frontiers[pull], g)
        for step in plan.groups():
            if (bucket := plan.bucket_of(step)) is not None:
                bucket_schedule.setup(self, step, self.bucket_index[bucket])
        self.steps(plan.steps)
        outs = [self.name(v) if self.ir.node_map[v].type.kind is Kind.SCALAR else self.slot(v)
                for _, v in plan.outputs]
        w.line(f"return ({', '.join(outs + ['loop_info', 'loop_residual'])},)")
        head = f"def kernel({', '.join(args)}):"
        return "\n".join([head] + w.lines) + "\n"

    def steps(self, steps) -> None:
        for step in steps:
            if isinstance(step, LoopStep):
                self.loop(step)
            elif isinstance(step, GroupStep):
                frontier, side = self.plan.frontier_of(step), self.plan.side_of(step)
                bucket = self.plan.bucket_of(step)
                inlined_by = self.plan.bucket_inlined_by(step)
                if bucket is not None:
                    bucket_schedule.round_(self, step, bucket, self.bucket_index[bucket],
                                           self.loop_rows[bucket.loop])
                elif inlined_by is not None:
                    bucket_schedule.inlined_group(self, step, inlined_by,
                                                  self.bucket_index[inlined_by])
                elif side is not None:
                    frontier_schedule.side_round(self, step, side,
                                                 self.frontier_index[side.frontier.pull])
                elif frontier is None:
                    self.group(step)
                else:
                    frontier_schedule.round_(self, step, frontier,
                                             self.frontier_index[frontier.pull],
                                             self.loop_rows[frontier.loop])
            elif isinstance(step, OwnPassStep):
                node = self.ir.node_map[step.node]
                op_def(node.op).lower_pass(self, node)
            elif isinstance(step, ScalarStep):
                self.scalar(step.node)

    def scalar(self, value: str) -> None:
        node = self.ir.node_map[value]
        if op_def(node.op).leaf:
            return
        self.w.line(f"{self.plan.names[value]} = {self.expression(node, self.name)}")

    def chunked(self, body) -> None:
        """A parallel loop over the node chunks that runs ``body`` for every node i."""
        w = self.w
        w.line(f"for c in prange({CHUNKS}):")
        with w.indent():
            w.line("for i in range(np.uint64(bounds[c]), np.uint64(bounds[c + 1])):")
            with w.indent():
                body()

    # --- loops -------------------------------------------------------------------------
    def loop(self, step: LoopStep) -> None:
        w, names = self.w, self.plan.names
        loop = self.ir.node_map[step.loop]
        k = step.index
        self.loop_rows[step.loop] = k
        w.line(f"# loop #{k}: {loop.attr('kind')}")
        for copy in self.plan.copies(step):
            target, source = self.slot(copy.carry), self.slot(copy.init)
            w.line(f"for j in range({target}.shape[0]):")
            with w.indent():
                w.line(f"{target}[j] = {source}[j]")
        for carry, _ in step.scalar_carries:
            w.line(f"{names[carry]} = {self.name(self.ir.node_map[carry].inputs[0])}")
        mine = [f for f in self.plan.frontiers.values() if f.loop == step.loop]
        for frontier in mine:
            frontier_schedule.enter_loop(self, frontier, self.frontier_index[frontier.pull])
        for bucket, b in self.bucket_index.items():
            if bucket.loop == step.loop:
                bucket_schedule.enter_loop(self, bucket, b)
        # a pushed round updated these carries in place: their arrays stay put
        in_place = {nxt: f"frontier_pushed_{self.frontier_index[f.pull]}" for f in mine
                    for nxt in [f.mask_next, *(n for _, n in f.in_place)]}
        it, done = f"iterations{k}", f"converged{k}"
        w.line(f"{it} = 0")
        w.line(f"{done} = False")
        w.line(f"while {it} < {self.name(loop.inputs[0])}:")
        with w.indent():
            self.steps(step.body)
            if loop.attr("residual") is not None:
                w.line(f"loop_residual[{k}] = {self.name(loop.attr('residual'))}")
            for carry, nxt in step.swaps:
                a, b = self.slot(carry), self.slot(nxt)
                if nxt in in_place:
                    w.line(f"if not {in_place[nxt]}:")
                    w.depth += 1
                w.line(f"{a}, {b} = swapped({a}, {b})  # next {self.plan.names[carry]}: no copy")
                if nxt in in_place:
                    w.depth -= 1
            if step.scalar_carries:
                targets = ", ".join(names[c] for c, _ in step.scalar_carries)
                values = ", ".join(self.name(n) for _, n in step.scalar_carries)
                w.line(f"{targets} = {values}")
            w.line(f"{it} += 1")
            w.line("if interrupt[0] != 0:  # Ctrl-C: stop after this round")
            with w.indent():
                w.line("break")
            stop = loop.attr("stop")
            if stop is not None:
                w.line(f"if {self.name(stop)}:")
                with w.indent():
                    w.line(f"{done} = True")
                    w.line("break")
        w.line(f"loop_info[{k}, 0] = {it}")
        flag = f"1 if {done} else 0" if loop.attr("stop") is not None else "-1"
        w.line(f"loop_info[{k}, 1] = {flag}")

    # --- fused parallel loops ------------------------------------------------------------
    def group(self, step: GroupStep, hooks=None) -> None:
        """One fused parallel loop; ``hooks`` (``frontier.ListWriter``) add lines per
        chunk and per node."""
        w, names, ir = self.w, self.plan.names, self.ir
        self.locals = set(step.members)
        # scalar members are reductions: one partial per chunk, combined in chunk order
        reductions = [m for m in step.members if ir.node_map[m].type.kind is Kind.SCALAR]
        for r in reductions:
            w.line(f"partial_{names[r]} = np.empty({CHUNKS}, {NUMPY_DTYPE[ir.node_map[r].type.dtype]})")
        pairs = step.domain == "pair"
        w.line(f"for c in prange({CHUNKS}):")
        with w.indent():
            if pairs:                         # equal shares of the pairs
                w.line(f"lo = npairs * c // {CHUNKS}")
                w.line(f"hi = npairs * (c + 1) // {CHUNKS}")
            else:
                w.line("lo = bounds[c]")
                w.line("hi = bounds[c + 1]")
            for r in reductions:
                w.line(f"acc_{names[r]} = {self._identity(ir.node_map[r])}")
            if hooks:
                hooks.chunk_start()
            self.at = "p" if pairs else "i"
            w.line(f"for {self.at} in range(np.uint64(lo), np.uint64(hi)):")
            with w.indent():
                if step.domain == "edge":
                    self.edge_body(step)
                else:
                    for m in step.members:
                        self.member(ir.node_map[m])
                    self.assigns(step.assigns)
                if hooks:
                    hooks.node()
            self.at = "i"
            for r in reductions:
                w.line(f"partial_{names[r]}[c] = acc_{names[r]}")
            if hooks:
                hooks.chunk_end()
        for r in reductions:
            self.combine(ir.node_map[r])
        if hooks:
            hooks.done()
        self.locals = set()

    def edge_body(self, step: GroupStep) -> None:
        """Per node i: reduce-to-node accumulators, the loop over its in-arcs k, results,
        then the node-domain members that read them."""
        w, ir, names = self.w, self.ir, self.plan.names
        to_nodes = [ir.node_map[m] for m in step.members if op_def(ir.node_map[m].op).arc_reduction]
        tail = [m for m in step.members if domain(ir, ir.node_map[m]) == "node"]
        arc_assigns = [a for a in step.assigns if ir.node_map[a[0]].type.kind is Kind.EDGE]
        for p in to_nodes:
            w.line(f"{names[p.id]} = {self._identity(p)}")
            if reduction(p.attr("reduce")).needs_count:
                w.line(f"count_{names[p.id]} = 0")
        w.line("for k in range(np.uint64(in_indptr[i]), np.uint64(in_indptr[i + ONE])):")
        with w.indent():
            self.at = "k"
            for m in step.members:
                node = ir.node_map[m]
                if op_def(node.op).arc_reduction:
                    op_def(node.op).lower_member(self, node)
                elif m not in tail:
                    self.member(node)
            self.assigns(arc_assigns)
            self.at = "i"
        for p in to_nodes:
            if reduction(p.attr("reduce")).needs_count:
                w.line(f"{names[p.id]} = np.divide({names[p.id]}, count_{names[p.id]})")
            if p.id in self.arrays:
                w.line(f"{self.slot(p.id)}[i] = {names[p.id]}")
        for m in tail:
            self.member(ir.node_map[m])
        self.assigns([a for a in step.assigns if a not in arc_assigns])

    def _identity(self, node: Node) -> str:
        """Initial accumulator of a reduction (a mean accumulates a float sum)."""
        red = reduction(node.attr("reduce"))
        if red.needs_count:
            return "0.0"
        dtype = self.input_dtype(node)
        return literal(red.identity(dtype), red.result(dtype))

    def member(self, node: Node) -> None:
        w, name = self.w, self.plan.names[node.id]
        rule = op_def(node.op).lower_member
        if rule is not None:
            rule(self, node)
        else:
            w.line(f"{name} = {self.expression(node, self.element)}")
        if node.id in self.arrays:
            w.line(f"{self.slot(node.id)}[{self.at}] = {name}")

    def assigns(self, assigns) -> None:
        """Write carried values; array reads go first so no write is seen by a later read.
        ``x = cond.where(a, x)`` stores only where ``cond`` holds: elsewhere the carry's
        array holds its value already, and a store would dirty its cache line."""
        values = []
        for carry, nxt in assigns:
            guard = self._kept_unless(carry, nxt)
            if guard is not None:
                values.append((carry, *guard))
                continue
            expr = self.element(nxt)
            if expr.endswith(f"[{self.at}]"):
                temp = f"next_{self.plan.names[carry]}"
                self.w.line(f"{temp} = {expr}")
                expr = temp
            values.append((carry, None, expr))
        for carry, cond, expr in values:
            if cond is not None:
                self.w.line(f"if {cond}:")
                self.w.depth += 1
            self.w.line(f"{self.slot(carry)}[{self.at}] = {expr}")
            if cond is not None:
                self.w.depth -= 1

    def _kept_unless(self, carry: str, nxt: str):
        """``(condition, value)`` when ``nxt`` is ``where(cond, value, carry)`` (or the
        mirror) of values held in locals, else None."""
        node = self.ir.node_map[nxt]
        if node.op != "where" or carry not in node.inputs[1:] or node.inputs[1] == node.inputs[2]:
            return None
        cond = self.element(node.inputs[0])
        kept_first = node.inputs[1] == carry
        value = self.element(node.inputs[1 if not kept_first else 2])
        if "[" in cond or "[" in value:
            return None
        return (f"not {cond}" if kept_first else cond), value

    def combine(self, node: Node) -> None:
        w, name = self.w, self.plan.names[node.id]
        red = reduction(node.attr("reduce"))
        w.line(f"{name} = {self._identity(node)}")
        w.line(f"for c in range({CHUNKS}):")
        with w.indent():
            w.line(red.combine_statement(name, f"partial_{name}[c]"))
        if red.needs_count:
            count = {Kind.EDGE: "m", Kind.PAIR: "npairs"}.get(
                self.ir.node_map[node.inputs[0]].type.kind, "n")
            w.line(f"{name} = np.divide({name}, {count})")

    # --- neighbour pulls -------------------------------------------------------------------
    def neighbour_loops(self, node: Node, body) -> None:
        """For each arc a pull reads, ``body(value, neighbour id)``; masked sources skipped,
        and with ``at`` only the chosen targets read their arcs at all."""
        w = self.w
        over = node.attr("over")
        x, mask, at = pull_operands(node.inputs, node.attr_dict)
        weight, combine = node.attr("weight"), node.attr("combine")
        if at is not None:
            w.line(f"if {self.element(at)}:")
            w.depth += 1
        for direction in (("in", "out") if over == "both" else (over,)):
            indptr, indices, weights = EDGE_LISTS[direction]
            guard = over == "both" and direction == "out"
            if guard:
                w.line("if directed:")
                w.depth += 1
            end = f"np.uint64({indptr}[i + ONE])"
            if node.attr("first") is not None:      # only the first arcs
                end = f"min({end}, np.uint64({indptr}[i]) + np.uint64({node.attr('first')}))"
            w.line(f"for k in range(np.uint64({indptr}[i]), {end}):")
            with w.indent():
                value = self.value_at(x, f"{indices}[k]")
                if weight:
                    value = f"({value} {'*' if combine == 'mul' else '+'} {weights}[k])"
                neighbour = f"np.int64({indices}[k])"
                bits = self.bitmaps.get(node.id)           # the mask, one bit per node
                if bits is not None and mask is None:      # the values are the mask
                    value = f"bit({bits}, {indices}[k])"
                if mask:
                    masked = f"bit({bits}, {indices}[k])" if bits is not None \
                        else self.value_at(mask, f"{indices}[k]")
                    w.line(f"if {masked}:")
                    with w.indent():
                        body(value, neighbour)
                else:
                    body(value, neighbour)
            if guard:
                w.depth -= 1
        if at is not None:
            w.depth -= 1

    def is_node_index(self, value: str) -> bool:
        return op_def(self.ir.node_map[self.resolve(value)].op).positional

    def value_at(self, value: str, position: str) -> str:
        """``value`` read at node ``position``; a node's own index there is the position."""
        if self.is_node_index(value):
            return f"np.int64({position})"
        node = self.ir.node_map[self.resolve(value)]
        if node.type.kind is Kind.SCALAR:
            return self.name(node.id)
        if node.id in self.inlined:
            return self.expression(node, lambda v: self.value_at(v, position))
        if op_def(node.op).uniform:                # a fill: its scalar, no array read
            return self.expression(node, self.name)
        return f"{self.slot(value)}[np.uint64({position})]"


def _parameter_type(param) -> str:
    """A parameter's type in the signature: a per-node array, a (k, 2) pair list, a scalar."""
    if param.pairs:
        return 'types.Array(types.int64, 2, "C", readonly=True)'
    if param.per_node:
        return f'types.Array({NUMBA_TYPE[param.dtype]}, 1, "C", readonly=True)'
    return NUMBA_TYPE[param.dtype]


def generate_source(plan: ExecutionPlan) -> KernelSource:
    """The kernel source for a plan; identical plans give identical text."""
    index = f'types.Array(types.{plan.index_dtype}, 1, "C", readonly=True)'
    params = {p.name: p for p in plan.params}
    param_types = [_parameter_type(params[name]) for name in parameter_order(params)]
    signature = ", ".join([*GRAPH_ARGUMENTS.values(), *RUN_ARGUMENTS.values(), *param_types])
    header = "\n".join([
        f"# groggy-jit kernel for plan {plan.plan_hash}",
        f"# algorithm structure: {plan.name}; edit nothing here, the file is checked on load",
        "import numpy as np",
        "from numba import njit, prange, types",
        "",
        f"INDEX = {index}",
        'WEIGHTS = types.Array(types.float64, 1, "C", readonly=True)',
        f"SIGNATURE = ({signature},)",
    ])
    function = KernelEmitter(plan).function()
    helpers = helpers_source(function)
    if helpers:
        header += "\n\n\n" + helpers.rstrip()
    return KernelSource(header, function)
