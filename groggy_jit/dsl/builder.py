"""``IRBuilder``: the builder-style front end, and the engine under ``sG``.

Both front ends add nodes through ``apply``, so an algorithm written with
operators on ``sG`` and one written with ``b.core.add(...)`` give the same IR.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..errors import KindError, TraceError
from ..ir.graph import REQUIREMENTS, IRGraph
from ..ir.verify import verify
from ..ir.monoids import pull_reduction
from ..ir.ops import DIRECTIONS
from ..ir.types import DType, Kind
from .loops import LoopContext, MemberLoop
from .values import PairList, Value

_COMPARE = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne",
            "lt": "lt", "le": "le", "gt": "gt", "ge": "ge", "eq": "eq", "ne": "ne"}


class IRBuilder:
    """Build an algorithm's IR step by step; ``groggy_jit.AlgorithmBuilder`` adds ``build()``."""

    def __init__(self, name: str = "algorithm", unit_weights: bool = False):
        self.ir = IRGraph(name)
        # Tracing for graphs without weights: a weight that only multiplies is 1, and
        # the pull reads no weights at all (a kernel that streams less memory).
        self.unit_weights = unit_weights
        self.dropped_weights = 0
        self.region: str | None = None
        self.loops: list[LoopContext] = []
        self._constants: dict[tuple, Value] = {}
        self.core = CoreOps(self)
        self.graph_ops = GraphOps(self)
        self.iter = IterOps(self)
        self.attr = AttrOps(self)

    # --- the one way nodes are added -------------------------------------------------
    def add(self, op: str, inputs=(), hint: str | None = None, **attrs) -> Value:
        node = self.ir.add(op, [v.node_id for v in inputs], region=self.region, hint=hint,
                           **attrs)
        return Value(self, node.id)

    def apply(self, op: str, *operands, **attrs) -> Value:
        """Apply an op to values and Python numbers (numbers become constants)."""
        return self.add(op, [self.lift(x) for x in operands], **attrs)

    def lift(self, x, dtype: str | None = None) -> Value:
        """A traced value for ``x``: values pass through, numbers become constants."""
        if isinstance(x, Value):
            if x.builder is not self:
                raise TraceError("a value from another algorithm was used here; "
                                 "each algorithm must build its own values")
            return x
        if x is None:
            raise TraceError("None is not a value; pass a number or a traced value")
        kind = DType(dtype) if dtype else DType.of_python(x)
        if kind is DType.I64 and isinstance(x, float):
            if not float(x).is_integer():
                raise KindError(f"{x!r} is not a whole number; an integer is needed here")
        value = {DType.F64: float, DType.I64: int, DType.BOOL: bool}[kind](x)
        key = (kind, repr(value))
        if key not in self._constants:
            node = self.ir.add("const", value=value, dtype=kind.value, region=None)
            self._constants[key] = Value(self, node.id)
        return self._constants[key]

    def name_values(self, bindings: dict) -> None:
        """Give unnamed nodes the Python names they were bound to (for printing only)."""
        for name, value in bindings.items():
            if isinstance(value, Value) and value.builder is self and not name.startswith("_"):
                node = self.ir.node_map[value.node_id]
                if node.hint is None and node.op not in ("const", "param"):
                    self.ir.replace_node(replace(node, hint=name))

    def constant(self, value) -> Value:
        """A scalar constant of its own (not shared with equal literals, so it can be carried)."""
        kind = DType.of_python(value)
        value = {DType.F64: float, DType.I64: int, DType.BOOL: bool}[kind](value)
        node = self.ir.add("const", value=value, dtype=kind.value, region=None)
        return Value(self, node.id)

    def param(self, name: str, default: Any, dtype: str | None = None, domain: str = "") -> Value:
        """A runtime parameter: changing its value never recompiles.

        ``domain`` names an ``ir.domains`` Domain its values are checked against.
        """
        kind = DType(dtype) if dtype else DType.of_python(default)
        node = self.ir.add_param(name, kind, default, domain=domain)
        return Value(self, node.id)

    def node_param(self, name: str, default: Any = 0) -> Value:
        """A node-id parameter (e.g. a source): range-checked, networkx labels accepted."""
        node = self.ir.add_param(name, DType.I64, default, node=True)
        return Value(self, node.id)

    def pairs_param(self, name: str) -> PairList:
        """A list of node pairs given at run time (None: every non-edge); its ends are
        pair maps."""
        node = self.ir.add_param(name, DType.I64, None, pairs=True)
        return PairList(Value(self, node.id))

    def node_values_param(self, name: str, default: Any, domain: str = "") -> Value:
        """A parameter with one value per node (a node map given at run time).

        ``default`` (a float, int or bool) fills every node when the caller passes
        nothing, and its type is the values' type.
        """
        if default is None:
            raise TraceError(f"per-node parameter {name!r} needs a default value (a float, int "
                             "or bool: it sets the values' type)")
        node = self.ir.add_param(name, DType.of_python(default), default, per_node=True,
                                 domain=domain)
        return Value(self, node.id)

    def require(self, requirement: str) -> None:
        """Ask every run to check the graph first, e.g. ``"nonnegative_weights"``."""
        if requirement not in REQUIREMENTS:
            raise TraceError(f"unknown requirement {requirement!r}; known: {', '.join(REQUIREMENTS)}")
        self.ir.requirements.add(requirement)

    # --- groggy builder vocabulary ------------------------------------------------------
    def graph_node_count(self) -> Value:
        return self.add("num_nodes", hint="n")

    def graph_edge_count(self) -> Value:
        return self.add("num_edges", hint="m")

    def init_nodes(self, default=0.0, unique: bool = False) -> Value:
        """A node map: every node ``default``, or the node's index when ``unique``."""
        if unique:
            return self.add("node_index")
        return self.apply("fill", default)

    def node_degrees(self, nodes: Value | None = None, over: str = "out") -> Value:
        """Degree of every node: ``over="out"`` (default), ``"in"`` or ``"both"``.

        ``nodes`` is not read (groggy's signature, kept so its algorithms port)."""
        if over not in DIRECTIONS:
            raise KindError(f"degree over={over!r}: use one of {', '.join(DIRECTIONS)}")
        return self.add("degree", over=over, hint="degree")

    def normalize(self, values: Value, method: str = "sum") -> Value:
        return self.lift(values).normalize(method)

    def var(self, name: str, value) -> Value:
        """Name a value; inside a loop, carry ``name`` to the next iteration."""
        if self.loops:
            return self.loops[-1].carry(name, value)
        return self.lift(value)

    def attach_as(self, name: str, value) -> None:
        """Make ``value`` an output of the algorithm under ``name``."""
        value = self.lift(value)
        if self.region is not None:
            raise TraceError(f"attach_as({name!r}) inside a loop; attach the loop's result "
                             "after the loop")
        self.ir.set_output(name, value.node_id)

    def iterate(self, count) -> LoopContext:
        """``with b.iterate(n):`` runs the body ``n`` times."""
        return LoopContext(self, "fixed", count)

    def each(self, subset: Value) -> MemberLoop:
        """``with b.each(subset) as node:`` runs the body once per node where the bool node
        map ``subset`` holds, in ascending order; ``node`` is its index."""
        return MemberLoop(self, subset)

    def until_converged(self, value: Value, tol=1e-6, max_iter=100, norm: str = "l1") -> LoopContext:
        """Repeat until the ``norm`` change of ``value`` in one iteration is below ``tol``."""
        if max_iter is None:
            raise TraceError("until_converged() needs max_iter: a tolerance alone may never "
                             "be met, and the loop runs inside one native call")
        return LoopContext(self, "converge", max_iter, watch=value, tol=tol, norm=norm)

    def while_any(self, mask: Value, max_iter=None) -> LoopContext:
        """Repeat while the carried bool ``mask`` (e.g. a frontier) holds anywhere.

        Without ``max_iter`` the bound is the node count + 1, enough for any
        frontier that only ever adds nodes to a set.
        """
        if max_iter is None:
            max_iter = self.graph_node_count() + 1
        return LoopContext(self, "while_any", max_iter, watch=mask)

    def pull(self, x, over: str = "in", reduce: str = "sum", weight: str | None = None,
             mask=None, combine: str | None = None, at=None, first: int | None = None) -> Value:
        """Aggregate neighbour values: ``y[v] = reduce(x[u] for u -> v)`` for ``over="in"``.

        ``weight="weight"`` combines each value with its edge's weight: multiplied for
        sum/mean/count/any/all, added for min/max/argmin/argmax (the (min, +) semiring of
        shortest paths); ``combine="mul"|"add"`` overrides. ``reduce="argmin"`` gives
        the neighbour with the smallest value, ``"argmax"`` the largest (ties: the
        smallest id; NaN never chosen; -1 if none).
        ``mask`` (a bool node map) limits the pull to sources where it holds. With no (unmasked) neighbours the result is the
        reduction's identity (0 for sum, +inf for min, ...). ``at`` (a bool node map)
        computes only the targets where it holds; the others get the no-neighbour
        result without reading a single arc, e.g. the visited nodes of a BFS.
        ``first=k`` reads only each node's first ``k`` arcs of every direction, in the
        graph's arc order (smallest neighbour ids first): a cheap sample of the graph, as
        Afforest links each node to its first neighbours.
        """
        attrs = {"over": over, "reduce": reduce}
        if first is not None:
            if isinstance(first, bool) or not isinstance(first, int) or first < 1:
                raise KindError(f"pull(first={first!r}): use a positive int known when the "
                                "algorithm is traced")
            attrs["first"] = first
        if weight is not None:
            if weight != "weight":
                raise KindError(f"pull(weight={weight!r}): use weight='weight' for the "
                                "graph's edge weights")
            combine = combine or ("add" if pull_reduction(reduce).weights_add else "mul")
            if self.unit_weights and combine == "mul":
                self.dropped_weights += 1
            else:
                attrs["weight"] = weight
                attrs["combine"] = combine
        elif combine is not None:
            raise KindError("pull(combine=...) only applies with weight='weight'")
        operands = [x] if mask is None else [x, mask]
        if at is not None:
            operands.append(at)
            attrs["at"] = True
        return self.apply("pull", *operands, **attrs)

    def load_attr(self, name: str, default=0.0) -> Value:
        raise TraceError("node attributes are not supported yet: pass values as parameters")

    load_edge_attr = load_attr

    def finish(self) -> IRGraph:
        """The finished, verified IR."""
        if not self.ir.outputs:
            raise TraceError(f"algorithm {self.ir.name!r} has no outputs; call attach_as()")
        if self.loops:
            raise TraceError("build() inside an open loop")
        verify(self.ir)
        return self.ir


class _Namespace:
    def __init__(self, builder: IRBuilder):
        self.b = builder


class CoreOps(_Namespace):
    """groggy's ``builder.core``: elementwise arithmetic and reductions."""

    def add(self, a, b): return self.b.apply("add", a, b)
    def sub(self, a, b): return self.b.apply("sub", a, b)
    def mul(self, a, b): return self.b.apply("mul", a, b)
    def div(self, a, b): return self.b.apply("div", a, b)

    def recip(self, x, epsilon=1e-10):
        """``1/x`` where ``|x| > epsilon``, else 0."""
        x = self.b.lift(x)
        return (abs(x) > epsilon).where(1.0 / x, 0.0)

    def compare(self, a, op: str, b):
        if op not in _COMPARE:
            raise KindError(f"compare op {op!r}: use one of < <= > >= == !=")
        return self.b.apply(_COMPARE[op], a, b)

    def where(self, cond, a, b): return self.b.apply("where", cond, a, b)
    def reduce_scalar(self, x, op: str = "sum"): return self.b.apply("reduce", x, reduce=op)

    def broadcast_scalar(self, scalar, like):
        scalar = self.b.lift(scalar)
        if scalar.kind is not Kind.SCALAR:
            raise KindError(f"broadcast_scalar needs a scalar, got {scalar.type}")
        return self.b.apply("fill", scalar)

    def mode(self, values):
        """Most common value (ties to the smallest) of collected neighbour values."""
        if not isinstance(values, NeighborValues):
            raise TraceError("core.mode() takes graph_ops.collect_neighbor_values(x); for a "
                             "node's own neighbours use graph_ops.neighbor_mode_update(x)")
        return self.b.pull(values.values, over=values.over, reduce="mode")


class GraphOps(_Namespace):
    """groggy's ``builder.graph_ops``: degrees and neighbour aggregation."""

    def degree(self, nodes=None, over: str = "out"):
        return self.b.node_degrees(nodes, over)

    def neighbor_agg(self, values, agg: str = "sum", weights=None, over: str = "in"):
        if weights is not None:
            raise TraceError("weighted neighbour aggregation is not supported yet")
        return self.b.pull(values, over=over, reduce=agg)

    def collect_neighbor_values(self, values, over: str = "in") -> "NeighborValues":
        """The neighbours' values of every node, to be reduced (e.g. by ``core.mode``)."""
        return NeighborValues(self.b.lift(values), over)

    def neighbor_mode_update(self, labels, over: str = "in"):
        """The most common neighbour label (ties to the smallest); own label if none."""
        return self.b.pull(labels, over=over, reduce="mode")


class NeighborValues:
    """Neighbour values collected per node; only a reduction makes a value of them."""

    def __init__(self, values: Value, over: str):
        self.values = values
        self.over = over

    def __bool__(self):
        raise TraceError("collected neighbour values must be reduced, e.g. core.mode(...)")


class IterOps(_Namespace):
    """groggy's ``builder.iter``: loops."""

    def loop(self, count):
        return self.b.iterate(count)

    def until_converged(self, value, tol=1e-6, max_iter=100, norm="l1"):
        return self.b.until_converged(value, tol, max_iter, norm)

    def while_any(self, mask, max_iter=None):
        return self.b.while_any(mask, max_iter)


class AttrOps(_Namespace):
    """groggy's ``builder.attr``."""

    def load(self, name, default=0.0):
        return self.b.load_attr(name, default)

    load_edge = load

    def save(self, name, value):
        self.b.attach_as(name, value)


class GraphHandle:
    """``sG``: the graph as seen by an algorithm while it is being traced."""

    def __init__(self, builder: IRBuilder):
        self.builder = builder

    @property
    def N(self) -> Value:
        return self.builder.graph_node_count()

    @property
    def M(self) -> Value:
        return self.builder.graph_edge_count()

    @property
    def directed(self) -> Value:
        """True (a bool scalar) when the graph is directed."""
        return self.builder.add("is_directed", hint="directed")

    def nodes(self, value=0.0, unique: bool = False) -> Value:
        return self.builder.init_nodes(value, unique=unique)

    def __matmul__(self, x) -> Value:
        """``sG @ x`` is ``pull(x, over="in", reduce="sum")``: sum over in-neighbours."""
        return self.builder.pull(x, "in", "sum")

    def pull(self, x, over: str = "in", reduce: str = "sum", weight: str | None = None,
             mask=None, combine: str | None = None, at=None, first: int | None = None) -> Value:
        """Aggregate over neighbours; see ``IRBuilder.pull``."""
        return self.builder.pull(x, over, reduce, weight, mask, combine, at, first)

    def var(self, name: str, value) -> Value:
        return self.builder.var(name, value)

    # --- edge maps: one value per arc u -> v, ordered by target ---------------------
    def src(self, x) -> Value:
        """Edge map of ``x`` at every arc's source u."""
        return self.builder.apply("src", x)

    def dst(self, x) -> Value:
        """Edge map of ``x`` at every arc's target v."""
        return self.builder.apply("dst", x)

    def edge_weights(self) -> Value:
        """The arcs' weights (1.0 for an unweighted graph)."""
        if self.builder.unit_weights:
            self.builder.dropped_weights += 1
            return self.builder.constant(1.0)
        return self.builder.add("edge_weight", hint="weight")

    def common_neighbors(self) -> Value:
        """For every arc u -> v, how many nodes are out-neighbours of both (u, v excluded)."""
        return self.builder.add("common_neighbors", hint="common")

    def triangles(self, once: bool = False) -> Value:
        """For every node of an undirected graph, the triangles through it (self loops
        ignored); ``once=True``: only those whose lowest node by degree (ties by id) it
        is, so that every triangle counts once and the sum is the total.  Runs on a
        directed graph raise: its lists are not symmetric."""
        self.require("undirected")
        return self.builder.add("triangles", hint="triangles", once=once)

    def pair_ends(self, pairs: PairList) -> tuple[Value, Value]:
        """The node indices (u, v) at the two ends of every pair of a pair-list parameter."""
        if not isinstance(pairs, PairList):
            raise TraceError(f"pair_ends() reads a pair-list parameter (pairs: gj.NodePairs), "
                             f"got {pairs!r}")
        return (self.builder.add("pair_end", (pairs.value,), hint="u", end=0),
                self.builder.add("pair_end", (pairs.value,), hint="v", end=1))

    def pair_common(self, u, v, x=1, ends: str = "excluded") -> Value:
        """For every pair (u, v), the sum of node map ``x`` over the common neighbours of u
        and v (``x=1``: how many); ``ends="excluded"`` leaves out u and v themselves, as
        ``networkx.common_neighbors``, ``"included"`` counts them where they are common."""
        values = self.builder.lift(x)
        if values.kind is Kind.SCALAR:
            values = self.builder.init_nodes(values)
        return self.builder.add("pair_common", (u, v, values), hint="common", ends=ends)

    def geometric_triangles(self) -> Value:
        """For every arc j -> i of an undirected graph, Σ cbrt(ŵ_ij ŵ_jx ŵ_xi) over its
        triangles (j, i, x), ŵ = w / max(w), as networkx weighs clustering; with unit
        weights each triangle weighs 1: the common neighbours counted."""
        if self.builder.unit_weights:
            self.builder.dropped_weights += 1
            return self.common_neighbors()
        weights = self.edge_weights()
        scaled = self.builder.apply("div", weights, self.builder.apply("reduce", weights,
                                                                       reduce="max"))
        return self.builder.add("triangle_weights", [scaled], hint="triangles")

    def directed_geometric_triangles(self) -> Value:
        """For every node i of a directed graph, networkx's weighted directed triangles:
        Σ c_ij c_ik c_jk over ordered pairs (j, k) of other nodes, c_xy = ŵ_xy^⅓ + ŵ_yx^⅓
        (0 for a missing arc), ŵ = w / max(w); 1 for each arc of an unweighted graph."""
        weights = self.builder.add("edge_weight", hint="weight")     # ones when unweighted
        scaled = self.builder.apply("div", weights, self.builder.apply("reduce", weights,
                                                                       reduce="max"))
        return self.builder.add("directed_triangle_weights", [scaled], hint="triangles")

    def reverse_arcs(self, e) -> Value:
        """Edge map of ``e`` at every arc's reverse arc (the dtype's missing value where
        there is none: NaN, the smallest int, False)."""
        return self.builder.apply("reverse_arcs", e)

    def pull_edges(self, e, reduce: str = "sum") -> Value:
        """Reduce an edge map onto the arcs' targets: ``y[v] = reduce(e[u -> v])``."""
        return self.builder.apply("pull_edges", e, reduce=reduce)

    def iterate(self, count) -> LoopContext:
        return self.builder.iterate(count)

    def each(self, subset) -> MemberLoop:
        return self.builder.each(subset)

    def until_converged(self, value, tol=1e-6, max_iter=100, norm="l1") -> LoopContext:
        return self.builder.until_converged(value, tol, max_iter, norm)

    def while_any(self, mask, max_iter=None) -> LoopContext:
        return self.builder.while_any(mask, max_iter)

    def require(self, requirement: str) -> None:
        self.builder.require(requirement)

    def __bool__(self):
        raise TraceError("the graph handle has no truth value")
