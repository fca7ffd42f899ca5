"""Plan -> the source of one readable Python function, compiled by Numba as one kernel.

Every fused group becomes one ``prange`` loop over fixed node chunks; scalar
reductions keep one partial per chunk and combine them in chunk order, so the
result does not depend on how many threads ran.  Loops are ``while`` loops
inside the same function, so one algorithm run is one native call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..ir.graph import Node
from ..ir.monoids import reduction
from ..ir.ops import MISSING, op_def, pull_operands
from ..ir.types import DType, Kind
from ..plan.liveness import storage_of
from ..plan.plan import CHUNKS, LEAVES, BatchExecutionPlan
from ..plan.steps import GroupStep, LoopStep, PassStep, ScalarStep, domain
from .abi import GRAPH_ARGUMENTS, parameter_order
from .helpers import HELPERS_SOURCE

NUMPY_DTYPE = {DType.F64: "np.float64", DType.I64: "np.int64", DType.BOOL: "np.bool_"}
NUMBA_TYPE = {DType.F64: "types.float64", DType.I64: "types.int64", DType.BOOL: "types.boolean"}
FLAGS = 'parallel=True, cache=True, nogil=True, error_model="numpy"'
EDGE_LISTS = {"in": ("in_indptr", "in_indices", "in_weights"),
              "out": ("out_indptr", "out_indices", "out_weights")}


@dataclass(frozen=True)
class KernelSource:
    """The generated module: ``header`` (imports, signature), ``function`` (the kernel)."""
    header: str
    function: str

    @property
    def text(self) -> str:
        return f"{self.header}\n\n\n@njit(SIGNATURE, {FLAGS})\n{self.function}"


def literal(value, dtype: DType) -> str:
    if dtype is DType.BOOL:
        return repr(bool(value))
    if dtype is DType.I64:
        value = int(value)
        return f"({value + 1} - 1)" if value == -(2**63) else repr(value)
    value = float(value)
    if math.isnan(value):
        return "np.nan"
    if math.isinf(value):
        return "np.inf" if value > 0 else "-np.inf"
    return repr(value)


INLINED = LEAVES     # scalar leaves are written where they are used

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
    def __init__(self, plan: BatchExecutionPlan):
        self.plan = plan
        self.ir = plan.ir
        self.arrays = set(plan.slot_of)
        self.w = _Writer()
        self.locals: set[str] = set()       # group members held in element locals
        self.at = "i"                        # the element index: i (node) or k (in-arc)

    # --- naming -----------------------------------------------------------------
    def resolve(self, value: str) -> str:
        """A loop result reads its carry."""
        node = self.ir.node_map[value]
        if node.op == "loop_result":
            carry = next(c for c, _ in self.ir.carries(node.inputs[0])
                         if c.attr("index") == node.attr("index"))
            return self.resolve(carry.id)
        return value

    def name(self, value: str) -> str:
        """How a scalar (or array-free value) is referred to: inlined when it is a leaf."""
        node = self.ir.node_map[self.resolve(value)]
        if node.op in INLINED:
            return self.expression(node, self.name)
        return self.plan.names[node.id]

    def slot(self, value: str) -> str:
        if self.ir.node_map[value].op == "node_param":        # the caller's array
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
        if node.op == "node_index":                # a node's own index: no array read
            return f"np.int64({self.at})"
        return f"{self.slot(node.id)}[{self.at}]"

    def operands(self, node: Node, read) -> list[str]:
        definition = op_def(node.op)
        types = tuple(self.ir.node_map[i].type for i in node.inputs)
        target = definition.operand_dtype(types)
        if node.op == "where":
            targets = [DType.BOOL, node.type.dtype, node.type.dtype]
        else:
            targets = [target] * len(node.inputs)
        out = []
        for value, want, have in zip(node.inputs, targets, types):
            leaf = self.ir.node_map[value]
            if want is None or have.dtype is want:
                out.append(read(value))
            elif leaf.op == "const":                 # write the constant in the wanted dtype
                out.append(literal(leaf.attr("value"), want))
            else:
                out.append(f"{NUMPY_DTYPE[want]}({read(value)})")
        return out

    def expression(self, node: Node, read) -> str:
        if node.op == "const":
            return literal(node.attr("value"), node.type.dtype)
        if node.op == "param":
            return self.plan.names[node.id]
        if node.op == "num_nodes":
            return "n"
        if node.op == "num_edges":
            return "m"
        if node.op == "is_directed":
            return "directed"
        if node.op == "node_index":
            return "np.int64(i)"
        if node.op == "degree":
            return self.degree(node.attr("over"))
        if node.op == "src":
            return self.value_at(node.inputs[0], "in_indices[k]")
        if node.op == "dst":
            return self.value_at(node.inputs[0], "i")
        if node.op == "edge_weight":
            return "in_weights[k]"
        definition = op_def(node.op)
        attrs = {k: v for k, v in node.attrs}
        return definition.emit(*self.operands(node, read), **attrs)

    @staticmethod
    def degree(over: str) -> str:
        def one(indptr):
            return f"np.int64({indptr}[i + ONE] - {indptr}[i])"
        if over == "both":
            return f"({one('in_indptr')} + ({one('out_indptr')} if directed else 0))"
        return one(EDGE_LISTS[over][0])

    # --- the function ---------------------------------------------------------------
    def function(self) -> str:
        w, plan = self.w, self.plan
        params = {n.attr("name"): n.id for n in self.ir.nodes if n.op in ("param", "node_param")}
        args = list(GRAPH_ARGUMENTS) + [plan.names[params[p]] for p in parameter_order(params)]
        w.line("m = np.int64(in_indices.shape[0])")
        w.line("ONE = np.uint64(1)  # unsigned indices: no negative-index checks in hot loops")
        # np.zeros and slice copies would each become a parallel loop (and compile time)
        w.line(f"loop_info = np.empty(({max(plan.num_loops, 1)}, 2), np.int64)")
        w.line(f"for j in range({max(plan.num_loops, 1)}):")
        with w.indent():
            w.line("loop_info[j, 0] = 0")
            w.line("loop_info[j, 1] = 0")
        w.line(f"# node ranges of the {CHUNKS} parallel chunks, balanced by nodes + in-edges")
        w.line(f"bounds = np.empty({CHUNKS + 1}, np.int64)")
        w.line("v = 0")
        w.line(f"for c in range({CHUNKS + 1}):")
        with w.indent():
            w.line(f"target = (m + n) * c // {CHUNKS}")
            w.line("while v < n and in_indptr[v] + v < target:")
            with w.indent():
                w.line("v += 1")
            w.line("bounds[c] = v")
        for slot in plan.slots:
            held = ", ".join(plan.names[v] for v in slot.values)
            size = "m" if slot.type.kind is Kind.EDGE else "n"
            w.line(f"s{slot.index} = np.empty({size}, {NUMPY_DTYPE[slot.type.dtype]})  # {held}")
        for node in self.ir.nodes:
            if node.op == "pull" and node.attr("reduce") == "mode":
                dtype = NUMPY_DTYPE[node.type.dtype]
                w.line(f"scratch_{plan.names[node.id]} = np.empty(in_indices.shape[0] + "
                       f"out_indices.shape[0], {dtype})")
        self.steps(plan.steps)
        outs = [self.name(v) if self.ir.node_map[v].type.kind is Kind.SCALAR else self.slot(v)
                for _, v in plan.outputs]
        w.line(f"return ({', '.join(outs + ['loop_info'])},)")
        head = f"def kernel({', '.join(args)}):"
        return "\n".join([head] + w.lines) + "\n"

    def steps(self, steps) -> None:
        for step in steps:
            if isinstance(step, LoopStep):
                self.loop(step)
            elif isinstance(step, GroupStep):
                self.group(step)
            elif isinstance(step, PassStep):
                node = self.ir.node_map[step.node]
                if node.op == "common_neighbors":
                    self.common_neighbours_pass(node)
                else:
                    self.scatter(node)
            elif isinstance(step, ScalarStep):
                self.scalar(step.node)

    def scalar(self, value: str) -> None:
        node = self.ir.node_map[value]
        if node.op in INLINED:
            return
        self.w.line(f"{self.plan.names[value]} = {self.expression(node, self.name)}")

    def scatter(self, node: Node) -> None:
        """Serial scatter-min: writes land on other nodes, so no parallel loop."""
        w = self.w
        out = self.slot(node.id)
        x, index = self.slot(node.inputs[0]), self.slot(node.inputs[1])
        values = self.ir.node_map[node.inputs[2]]
        value = self.name(values.id) if values.type.kind is Kind.SCALAR else f"{self.slot(values.id)}[j]"
        w.line(f"# {self.plan.names[node.id]}: serial scatter-min")
        w.line("for j in range(n):")
        with w.indent():
            w.line(f"{out}[j] = {x}[j]")
        w.line("for j in range(n):")
        with w.indent():
            w.line(f"if 0 <= {index}[j] < n:")
            with w.indent():
                w.line(f"{out}[{index}[j]] = np.minimum({out}[{index}[j]], {value})  # NaN wins")

    def common_neighbours_pass(self, node: Node) -> None:
        """Every arc's common neighbours.  On an undirected graph each edge is counted once,
        at its higher-degree end, by scanning the other end's (shorter) list against marks
        of its own; a second loop copies the count to the reverse arc."""
        w, out = self.w, self.slot(node.id)

        def per_node():
            w.line("if directed:")
            with w.indent():
                w.line("count_each_arc(in_indptr, in_indices, out_indptr, out_indices, "
                       f"np.int64(i), {out})")
            w.line("else:")
            with w.indent():
                w.line("count_from_lower_ends(out_indptr, out_indices, np.int64(i), marks, "
                       f"{out})")
        w.line(f"# {self.plan.names[node.id]}: common neighbours of every arc")
        self._chunked(per_node, setup="marks = np.zeros(0 if directed else n, np.bool_)  "
                                      "# one per chunk: no sharing")
        w.line("if not directed:")
        with w.indent():
            self._chunked(lambda: w.line("copy_to_higher_ends(out_indptr, out_indices, "
                                         f"np.int64(i), {out})"))

    def _chunked(self, body, setup: str | None = None) -> None:
        """A parallel loop over the node chunks that runs ``body`` for every node i."""
        w = self.w
        w.line(f"for c in prange({CHUNKS}):")
        with w.indent():
            if setup:
                w.line(setup)
            w.line("for i in range(np.uint64(bounds[c]), np.uint64(bounds[c + 1])):")
            with w.indent():
                body()

    # --- loops -------------------------------------------------------------------------
    def loop(self, step: LoopStep) -> None:
        w, names = self.w, self.plan.names
        loop = self.ir.node_map[step.loop]
        k = step.index
        w.line(f"# loop #{k}: {loop.attr('kind')}")
        for copy in step.copy_in:
            target, source = self.slot(copy.carry), self.slot(copy.init)
            w.line(f"for j in range({target}.shape[0]):")
            with w.indent():
                w.line(f"{target}[j] = {source}[j]")
        for carry, _ in step.scalar_carries:
            w.line(f"{names[carry]} = {self.name(self.ir.node_map[carry].inputs[0])}")
        it, done = f"iterations{k}", f"converged{k}"
        w.line(f"{it} = 0")
        w.line(f"{done} = False")
        w.line(f"while {it} < {self.name(loop.inputs[0])}:")
        with w.indent():
            self.steps(step.body)
            for carry, nxt in step.swaps:
                a, b = self.slot(carry), self.slot(nxt)
                w.line(f"{a}, {b} = swapped({a}, {b})  # next {self.plan.names[carry]}: no copy")
            if step.scalar_carries:
                targets = ", ".join(names[c] for c, _ in step.scalar_carries)
                values = ", ".join(self.name(n) for _, n in step.scalar_carries)
                w.line(f"{targets} = {values}")
            w.line(f"{it} += 1")
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
    def group(self, step: GroupStep) -> None:
        w, names, ir = self.w, self.plan.names, self.ir
        self.locals = set(step.members)
        reductions = [m for m in step.members if ir.node_map[m].op == "reduce"]
        for r in reductions:
            w.line(f"partial_{names[r]} = np.empty({CHUNKS}, {NUMPY_DTYPE[ir.node_map[r].type.dtype]})")
        w.line(f"for c in prange({CHUNKS}):")
        with w.indent():
            w.line("lo = bounds[c]")
            w.line("hi = bounds[c + 1]")
            for r in reductions:
                w.line(f"acc_{names[r]} = {self._identity(ir.node_map[r])}")
            w.line("for i in range(np.uint64(lo), np.uint64(hi)):")
            with w.indent():
                if step.domain == "edge":
                    self.edge_body(step)
                else:
                    for m in step.members:
                        self.member(ir.node_map[m])
                    self.assigns(step.assigns)
            for r in reductions:
                w.line(f"partial_{names[r]}[c] = acc_{names[r]}")
        for r in reductions:
            self.combine(ir.node_map[r])
        self.locals = set()

    def edge_body(self, step: GroupStep) -> None:
        """Per node i: reduce-to-node accumulators, the loop over its in-arcs k, results,
        then the node-domain members that read them."""
        w, ir, names = self.w, self.ir, self.plan.names
        to_nodes = [ir.node_map[m] for m in step.members if ir.node_map[m].op == "pull_edges"]
        tail = [m for m in step.members if domain(ir, ir.node_map[m]) == "node"]
        for p in to_nodes:
            w.line(f"{names[p.id]} = {self._identity(p)}")
            if reduction(p.attr("reduce")).needs_count:
                w.line(f"count_{names[p.id]} = 0")
        w.line("for k in range(np.uint64(in_indptr[i]), np.uint64(in_indptr[i + ONE])):")
        with w.indent():
            self.at = "k"
            for m in step.members:
                node = ir.node_map[m]
                if node.op == "pull_edges":
                    red = reduction(node.attr("reduce"))
                    w.line(red.update_statement(names[m], self.element(node.inputs[0])))
                    if red.needs_count:
                        w.line(f"count_{names[m]} += 1")
                elif m not in tail:
                    self.member(node)
            self.assigns(step.assigns)
            self.at = "i"
        for p in to_nodes:
            if reduction(p.attr("reduce")).needs_count:
                w.line(f"{names[p.id]} = np.divide({names[p.id]}, count_{names[p.id]})")
            if p.id in self.arrays:
                w.line(f"{self.slot(p.id)}[i] = {names[p.id]}")
        for m in tail:
            self.member(ir.node_map[m])

    def _identity(self, node: Node) -> str:
        """Initial accumulator of a reduction (a mean accumulates a float sum)."""
        red = reduction(node.attr("reduce"))
        if red.needs_count:
            return "0.0"
        dtype = self._input_dtype(node)
        return literal(red.identity(dtype), red.result(dtype))

    def _input_dtype(self, node: Node) -> DType:
        return self.ir.node_map[node.inputs[0]].type.dtype

    def member(self, node: Node) -> None:
        w, name = self.w, self.plan.names[node.id]
        if node.op == "pull":
            self.pull(node)
        elif node.op == "gather":
            index = self.element(node.inputs[1])
            missing = literal(MISSING[node.type.dtype], node.type.dtype)
            w.line(f"at_{name} = {index}")
            w.line(f"{name} = {self.value_at(node.inputs[0], f'at_{name}')} "
                   f"if 0 <= at_{name} < n else {missing}")
        elif node.op == "reduce":
            red = reduction(node.attr("reduce"))
            x = self.element(node.inputs[0])
            w.line(red.update_statement(f"acc_{name}", x))
        else:
            w.line(f"{name} = {self.expression(node, self.element)}")
        if node.id in self.arrays:
            w.line(f"{self.slot(node.id)}[{self.at}] = {name}")

    def assigns(self, assigns) -> None:
        """Write carried values; array reads go first so no write is seen by a later read."""
        values = []
        for carry, nxt in assigns:
            expr = self.element(nxt)
            if expr.endswith(f"[{self.at}]"):
                temp = f"next_{self.plan.names[carry]}"
                self.w.line(f"{temp} = {expr}")
                expr = temp
            values.append((carry, expr))
        for carry, expr in values:
            self.w.line(f"{self.slot(carry)}[{self.at}] = {expr}")

    def combine(self, node: Node) -> None:
        w, name = self.w, self.plan.names[node.id]
        red = reduction(node.attr("reduce"))
        w.line(f"{name} = {self._identity(node)}")
        w.line(f"for c in range({CHUNKS}):")
        with w.indent():
            w.line(red.combine_statement(name, f"partial_{name}[c]"))
        if red.needs_count:
            count = "m" if self.ir.node_map[node.inputs[0]].type.kind is Kind.EDGE else "n"
            w.line(f"{name} = np.divide({name}, {count})")

    # --- neighbour pulls -------------------------------------------------------------------
    def _neighbour_loops(self, node: Node, body) -> None:
        """For each arc a pull reads, ``body(value, neighbour id)``; masked sources skipped,
        and with ``at`` only the chosen targets read their arcs at all."""
        w = self.w
        over = node.attr("over")
        x, mask, at = pull_operands(node.inputs, node.attr_dict)
        mask = self.slot(mask) if mask is not None else None
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
            w.line(f"for k in range(np.uint64({indptr}[i]), np.uint64({indptr}[i + ONE])):")
            with w.indent():
                value = self.value_at(x, f"{indices}[k]")
                if weight:
                    value = f"({value} {'*' if combine == 'mul' else '+'} {weights}[k])"
                neighbour = f"np.int64({indices}[k])"
                if mask:
                    w.line(f"if {mask}[np.uint64({indices}[k])]:")
                    with w.indent():
                        body(value, neighbour)
                else:
                    body(value, neighbour)
            if guard:
                w.depth -= 1
        if at is not None:
            w.depth -= 1

    def _is_node_index(self, value: str) -> bool:
        return self.ir.node_map[self.resolve(value)].op == "node_index"

    def value_at(self, value: str, position: str) -> str:
        """``value`` read at node ``position``; a node's own index there is the position."""
        if self._is_node_index(value):
            return f"np.int64({position})"
        return f"{self.slot(value)}[np.uint64({position})]"

    def pull(self, node: Node) -> None:
        w, name = self.w, self.plan.names[node.id]
        how = node.attr("reduce")
        if how == "mode":
            return self.mode_pull(node)
        if how == "argmin":
            return self.argmin_pull(node)
        red = reduction(how)
        if red.needs_count:
            w.line(f"{name} = 0.0")
            w.line(f"count_{name} = 0")

            def body(value, _):
                w.line(f"{name} += {value}")
                w.line(f"count_{name} += 1")
            self._neighbour_loops(node, body)
            w.line(f"{name} = np.divide({name}, count_{name})")
            return
        x_dtype = DType.F64 if node.attr("weight") else self._input_dtype(node)
        w.line(f"{name} = {literal(red.identity(x_dtype), red.result(x_dtype))}")
        cast = how == "sum" and x_dtype is DType.BOOL
        first_is_smallest = (how == "min" and not node.attr("weight")
                             and node.attr("over") != "both" and self._is_node_index(node.inputs[0]))

        def body(value, _):
            # Stop at the first arc that decides the result: a true value for "any", a
            # false one for "all", and for the smallest neighbour id the first neighbour
            # (neighbour lists are sorted).
            if how in ("any", "all"):
                w.line(f"if {value} {'!=' if how == 'any' else '=='} 0:")
                with w.indent():
                    w.line(f"{name} = {how == 'any'}")
                    w.line("break")
            elif first_is_smallest:
                w.line(f"{name} = {value}")
                w.line("break")
            else:
                w.line(red.update_statement(name, f"np.int64({value})" if cast else value))
        self._neighbour_loops(node, body)

    def argmin_pull(self, node: Node) -> None:
        w, name = self.w, self.plan.names[node.id]
        x_dtype = DType.F64 if node.attr("weight") else self._input_dtype(node)
        best = f"best_{name}"
        w.line(f"{name} = -1")
        w.line(f"{best} = {literal(reduction('min').identity(x_dtype), x_dtype)}")

        def body(value, neighbour):
            w.line(f"value_{name} = {value}")
            w.line(f"if value_{name} < {best} or (value_{name} == {best} and "
                   f"({name} < 0 or {neighbour} < {name})):")
            with w.indent():
                w.line(f"{best} = value_{name}")
                w.line(f"{name} = {neighbour}")
        self._neighbour_loops(node, body)

    def mode_pull(self, node: Node) -> None:
        w, name = self.w, self.plan.names[node.id]
        over = node.attr("over")
        own = self.element(node.inputs[0])
        buf, count, run, best = f"scratch_{name}", f"count_{name}", f"run_{name}", f"best_{name}"
        start = "in_indptr[i] + out_indptr[i]" if over == "both" else f"{EDGE_LISTS[over][0]}[i]"
        w.line(f"start_{name} = {start}")
        w.line(f"{count} = 0")

        canonical = " + 0.0" if node.type.dtype is DType.F64 else ""   # -0.0 counts as 0.0

        def body(value, _):
            w.line(f"{buf}[start_{name} + {count}] = {value}{canonical}")
            w.line(f"{count} += 1")
        self._neighbour_loops(node, body)
        w.line(f"{name} = {own}{canonical}  # no neighbours: keep the node's own value")
        w.line(f"if {count} > 0:")
        with w.indent():
            w.line(f"window_{name} = {buf}[start_{name}:start_{name} + {count}]")
            w.line(f"window_{name}.sort()")
            w.line(f"{name} = window_{name}[0]")
            w.line(f"{best} = 1")
            w.line(f"{run} = 1")
            w.line(f"for j in range(1, {count}):")
            with w.indent():
                same = f"window_{name}[j] == window_{name}[j - 1]"
                if node.type.dtype is DType.F64:                 # NaNs count as one value
                    same = (f"{same} or (window_{name}[j] != window_{name}[j] "
                            f"and window_{name}[j - 1] != window_{name}[j - 1])")
                w.line(f"{run} = {run} + 1 if {same} else 1")
                w.line(f"if {run} > {best}:  # strictly more: ties keep the smaller value")
                with w.indent():
                    w.line(f"{best} = {run}")
                    w.line(f"{name} = window_{name}[j]")


def generate_source(plan: BatchExecutionPlan) -> KernelSource:
    """The kernel source for a plan; identical plans give identical text."""
    index = f'types.Array(types.{plan.index_dtype}, 1, "C", readonly=True)'
    params = {p.name: p for p in plan.params}
    param_types = [f'types.Array({NUMBA_TYPE[p.dtype]}, 1, "C", readonly=True)' if p.per_node
                   else NUMBA_TYPE[p.dtype] for p in (params[name] for name in parameter_order(params))]
    signature = ", ".join([*GRAPH_ARGUMENTS.values(), *param_types])
    header = "\n".join([
        f"# groggy-jit kernel for plan {plan.plan_hash}",
        f"# algorithm structure: {plan.name}; edit nothing here, the file is checked on load",
        "import numpy as np",
        "from numba import njit, prange, types",
        "",
        f"INDEX = {index}",
        'WEIGHTS = types.Array(types.float64, 1, "C", readonly=True)',
        f"SIGNATURE = ({signature},)",
        "",
        "",
        HELPERS_SOURCE.rstrip(),
    ])
    return KernelSource(header, KernelEmitter(plan).function())
